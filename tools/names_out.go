// names_out.go: what the structured content says of names given as
// arguments: NameNotes, which a tool's output type embeds to carry them
// (the names resolved, or the candidates to pick from).

package tools

// NameNotes is embedded by an output type that carries what names given as
// arguments stood for. The kit fills it in (args_names.go): Resolved on an
// answer, Candidates when a name could mean several parties and nothing
// was listed.
type NameNotes struct {
	Resolved   []NameResolved  `json:"resolved,omitempty" jsonschema_description:"Names given as arguments and the party or number each stands for."`
	Candidates []NameCandidate `json:"candidates,omitempty" jsonschema_description:"A name matched several parties and nothing was listed: call again with the arguments of one."`
}

func (n *NameNotes) nameNotes() *NameNotes { return n }

// nameNoter is an output type that embeds NameNotes.
type nameNoter interface{ nameNotes() *NameNotes }

// NameResolved is one name and what it stands for.
type NameResolved struct {
	Argument         string   `json:"argument"`
	Name             string   `json:"name" jsonschema_description:"The name as given."`
	Number           string   `json:"number" jsonschema_description:"The E.164 number used: the contact's, or a group conversation's first party."`
	ConversationName string   `json:"conversationName,omitempty"`
	Group            []string `json:"group,omitempty" jsonschema_description:"Every party of the group conversation the name is."`
	PhoneNumberIDs   []string `json:"phoneNumberIds,omitempty" jsonschema_description:"The OpenPhone numbers of its conversations."`
	PhoneNumberID    string   `json:"phoneNumberId,omitempty" jsonschema_description:"For a phoneNumberId given by name, the number's id."`
}

// NameCandidate is one party a name could stand for.
type NameCandidate struct {
	Name           string         `json:"name"`
	Number         string         `json:"number" jsonschema_description:"The contact's number, or a group conversation's first party."`
	Group          []string       `json:"group,omitempty"`
	ConversationID string         `json:"conversationId,omitempty"`
	PhoneNumberID  string         `json:"phoneNumberId"`
	LastActivityAt string         `json:"lastActivityAt,omitempty"`
	Arguments      map[string]any `json:"arguments" jsonschema_description:"The arguments to send, with the others, to pick this one."`
}

// list_phone_numbers.go: the list_phone_numbers tool, the workspace's
// OpenPhone numbers and their users.

package tools

import (
	"context"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/server"

	"github.com/openphone-mcp/openphone-mcp/client"
)

func init() { registerTool(listPhoneNumbersTool) }

// ListPhoneNumbersArgs mirrors the query parameters of GET /v1/phone-numbers.
type ListPhoneNumbersArgs struct {
	UserID string `json:"userId,omitempty" jsonschema:"pattern=^US(.*)$" jsonschema_description:"Only the numbers this user (US...) can use."`
}

const listPhoneNumbersDescription = `The workspace's OpenPhone numbers (PN id, number, name) and their users (name, US id). Not paged. Use it to pick phoneNumberId for list_calls, or to name a user id. userId narrows to one user's numbers.`

func listPhoneNumbersTool(d *Deps) server.ServerTool {
	return typedTool[ListPhoneNumbersArgs, ListPhoneNumbersOutput]("list_phone_numbers", listPhoneNumbersDescription,
		readOnlyAPI("List OpenPhone numbers"), d,
		func(ctx context.Context, c *client.Client, in *ListPhoneNumbersArgs) (ListPhoneNumbersOutput, string, error) {
			user, err := parseUserID(in.UserID)
			if err != nil {
				return ListPhoneNumbersOutput{}, "", err
			}
			w := d.directory(c)
			var numbers []client.PhoneNumber
			if user == "" {
				numbers, err = w.phoneNumbers(ctx)
			} else {
				// The cache holds every number; the API knows which ones the
				// user can use.
				numbers, err = c.ListPhoneNumbers(ctx, user)
			}
			if err != nil {
				return ListPhoneNumbersOutput{}, "", err
			}
			out, text := renderPhoneNumbers(w, user, numbers)
			return out, text, nil
		})
}

// ListPhoneNumbersOutput is the structured content of list_phone_numbers:
// every number with its users, the users named once, and the note when
// there are none.
type ListPhoneNumbersOutput struct {
	UserID  string                    `json:"user,omitempty"`
	Numbers map[string]PhoneNumberOut `json:"numbers,omitempty" jsonschema_description:"PN id: the number"`
	Users   map[string]string         `json:"users,omitempty" jsonschema_description:"id: name"`
	Notes   []string                  `json:"notes,omitempty"`
}

// PhoneNumberOut is one OpenPhone number as its line has it.
type PhoneNumberOut struct {
	Number string   `json:"number"`
	Name   string   `json:"name,omitempty"`
	Users  []string `json:"users,omitempty"`
}

func renderPhoneNumbers(w *directory, user string, numbers []client.PhoneNumber) (ListPhoneNumbersOutput, string) {
	var b strings.Builder
	out := ListPhoneNumbersOutput{UserID: user}
	named := func(id, name string) {
		if name != "" {
			if out.Users == nil {
				out.Users = map[string]string{}
			}
			out.Users[id] = name
		}
	}
	b.WriteString("OpenPhone numbers")
	if user != "" {
		b.WriteString(" of user ")
		name := nameOfUser(w, numbers, user)
		named(user, cleanText(name, nameWidth))
		writeUser(&b, user, name)
	} else {
		b.WriteString(" of this workspace")
	}
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(len(numbers)))
	b.WriteString(", the whole list\n")
	for _, n := range numbers {
		name := cleanText(n.Name, nameWidth)
		b.WriteString(lineID(n.ID, "PN"))
		b.WriteByte(' ')
		b.WriteString(apiText(n.Number))
		writeName(&b, name)
		b.WriteString(", users: ")
		po := PhoneNumberOut{Number: n.Number, Name: name}
		for i, u := range n.Users {
			if i > 0 {
				b.WriteString(", ")
			}
			un := userDisplayName(u)
			writeUser(&b, u.ID, un)
			po.Users = append(po.Users, u.ID)
			named(u.ID, cleanText(un, nameWidth))
		}
		if len(n.Users) == 0 {
			b.WriteString("none")
		}
		b.WriteByte('\n')
		if out.Numbers == nil {
			out.Numbers = map[string]PhoneNumberOut{}
		}
		out.Numbers[n.ID] = po
	}
	var note string
	switch {
	case len(numbers) == 0 && user != "":
		note = "This user can use none of the workspace's numbers, or is not a user of this workspace; call list_phone_numbers without userId to see every number and its users."
	case len(numbers) == 0:
		note = "This API key sees no OpenPhone numbers: check in OpenPhone that the workspace has numbers and that the key's user can use them."
	default:
		b.WriteString("Pass a PN id, or the number itself, as phoneNumberId to list_calls.\n")
	}
	if note != "" {
		out.Notes = []string{note}
		b.WriteString(note + "\n")
	}
	return out, b.String()
}

// nameOfUser is a user's name from numbers (the API's answer for that user)
// or else from the directory.
func nameOfUser(w *directory, numbers []client.PhoneNumber, id string) string {
	for _, n := range numbers {
		for _, u := range n.Users {
			if u.ID == id {
				return userDisplayName(u)
			}
		}
	}
	return w.userName(id)
}

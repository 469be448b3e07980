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

func renderPhoneNumbers(w *directory, user string, numbers []client.PhoneNumber) (ListPhoneNumbersOutput, string) {
	var b strings.Builder
	out := ListPhoneNumbersOutput{UserID: user, PhoneNumbers: make([]PhoneNumberOutput, 0, len(numbers))}
	b.WriteString("OpenPhone numbers")
	if user != "" {
		b.WriteString(" of user ")
		writeUser(&b, user, nameOfUser(w, numbers, user))
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
		po := PhoneNumberOutput{ID: n.ID, Number: n.Number, Name: name, Users: make([]UserOutput, 0, len(n.Users))}
		for i, u := range n.Users {
			if i > 0 {
				b.WriteString(", ")
			}
			un := userDisplayName(u)
			writeUser(&b, u.ID, un)
			po.Users = append(po.Users, UserOutput{ID: u.ID, Name: un, Role: cleanText(u.Role, 20)})
		}
		if len(n.Users) == 0 {
			b.WriteString("none")
		}
		b.WriteByte('\n')
		out.PhoneNumbers = append(out.PhoneNumbers, po)
	}
	switch {
	case len(numbers) == 0 && user != "":
		b.WriteString("This user can use none of the workspace's numbers, or is not a user of this workspace; call list_phone_numbers without userId to see every number and its users.\n")
	case len(numbers) == 0:
		b.WriteString("This API key sees no OpenPhone numbers: check in OpenPhone that the workspace has numbers and that the key's user can use them.\n")
	default:
		b.WriteString("Pass a PN id, or the number itself, as phoneNumberId to list_calls.\n")
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

// explain.go: errors to sentences. What a tool call fails with reaches the
// model as what went wrong and what to do about it.

package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/openphone-mcp/openphone-mcp/client"
)

// explain turns an error from a handler into a sentence for the model: what
// went wrong and what to do about it. It never includes the API key, which
// no error in this program carries.
func explain(err error) string {
	var ae *client.APIError
	var arg *argError
	var sub *subjectError
	switch {
	case errors.As(err, &arg):
		return arg.msg
	case errors.As(err, &sub) && errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound:
		return "Not found: " + sub.what + " (" + apiStatus(ae) + "). Check the id: " + sub.hint
	case errors.As(err, &ae):
		return explainAPIError(ae)
	case errors.Is(err, client.ErrTimeout):
		// err is "the OpenPhone API did not answer in time (GET /v1/calls,
		// limit 30s)": say it once.
		detail, ok := strings.CutPrefix(err.Error(), client.ErrTimeout.Error()+" ")
		if !ok || !strings.HasPrefix(detail, "(") {
			detail = "(" + err.Error() + ")"
		}
		return "The OpenPhone API did not answer in time " + detail + ". Try again in a moment, or narrow the request."
	case errors.Is(err, client.ErrBodyTooLarge):
		return "The OpenPhone API sent a response larger than this server accepts (" + err.Error() + "). Ask for fewer results with a smaller maxResults."
	case errors.Is(err, client.ErrMalformedResponse):
		return "The OpenPhone API sent a response that could not be read (" + err.Error() + "). This is usually temporary: try again shortly."
	case errors.Is(err, client.ErrRedirect):
		return "The OpenPhone API answered with a redirect to another host, which this server does not follow so the API key stays with OpenPhone. Check OPENPHONE_BASE_URL."
	case errors.Is(err, context.Canceled):
		return "The request was cancelled."
	case errors.Is(err, context.DeadlineExceeded):
		return "The request ran out of time before the OpenPhone API answered. Try again, or narrow the request."
	}
	return "The OpenPhone API could not be used: " + err.Error() + ". Try again shortly."
}

// subjectError names what a request was about, so that a 404 can say what
// was not found.
type subjectError struct {
	what string // "call AC123"
	hint string // what a good id looks like and where to get one
	err  error
}

func (e *subjectError) Error() string { return e.err.Error() }
func (e *subjectError) Unwrap() error { return e.err }

// about wraps err from a request about what; hint tells the model where to
// find a good id.
func about(what, hint string, err error) error {
	if err == nil {
		return nil
	}
	return &subjectError{what: what, hint: hint, err: err}
}

// apiStatus is "404 Not Found: detail (code 0100404)". The API's texts
// go through cleanText: an error body (or a proxy in front of the API)
// must not be able to add lines that pose as the server's own.
func apiStatus(ae *client.APIError) string {
	detail := ae.Message
	if detail == ae.Title {
		detail = ""
	}
	for _, fe := range ae.Errors {
		detail = strings.TrimPrefix(detail+"; "+fe.Path+": "+fe.Message, "; ")
	}
	status := fmt.Sprintf("%d %s", ae.StatusCode, cleanText(orStr(ae.Title, http.StatusText(ae.StatusCode)), 200))
	if detail = cleanText(detail, 2000); detail != "" {
		status += ": " + detail
	}
	if ae.Code != "" {
		status += " (code " + cleanText(ae.Code, 40) + ")"
	}
	return status
}

func explainAPIError(ae *client.APIError) string {
	status := apiStatus(ae)
	tries := ""
	if ae.Attempts > 1 {
		tries = fmt.Sprintf(" after %d attempts", ae.Attempts)
	}
	switch {
	case ae.StatusCode == http.StatusUnauthorized:
		return "OpenPhone rejected the API key (" + status + "). Check that OPENPHONE_API_KEY holds a valid key from OpenPhone's Settings > API page; the server reads it at start-up."
	case ae.StatusCode == http.StatusForbidden && (strings.HasSuffix(ae.Code, "1403") || strings.Contains(strings.ToLower(ae.Title), "phone number user")):
		return "OpenPhone refused: the API key's user is not a member of that OpenPhone number (" + status + "). Use a phoneNumberId from list_phone_numbers that this workspace's key can access."
	case ae.StatusCode == http.StatusForbidden:
		return "OpenPhone refused the request (" + status + "). The key's plan or permissions may not allow it."
	case ae.StatusCode == http.StatusNotFound:
		return "Not found (" + status + "). Check the id: call ids start with AC, phone number ids with PN, user ids with US."
	case ae.StatusCode == http.StatusTooManyRequests:
		return "OpenPhone is rate limiting this API key (" + status + ")" + tries + ". Its limit is 10 requests per second; wait a few seconds and try again."
	case ae.StatusCode == http.StatusBadRequest:
		return "OpenPhone rejected the request (" + status + "). Fix the arguments named above and try again."
	case ae.StatusCode >= 500:
		return "The OpenPhone API failed (" + status + ")" + tries + ". This is on OpenPhone's side; try again in a minute."
	}
	return "The OpenPhone API answered " + status + tries + "."
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// callIDHint ends a not-found message.
const callIDHint = "call ids start with AC; take one from a call line of list_calls or recent_calls."

// callNotFound names the call (or its content) in a 404 from a request
// about call id. what is "" for the call itself, else "summary",
// "transcript" or "recordings": a 404 for those can also mean that a
// real call has none.
func callNotFound(what, id string, err error) error {
	if what == "" {
		return about("call "+id, callIDHint, err)
	}
	return about("the "+what+" of call "+id, callIDHint+" If the id is right, the call has no "+what+
		": it was not completed/answered, or the workspace's plan lacks the feature.", err)
}

// shortError is an error in a few words, for a note inside a result.
func shortError(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%d %s", ae.StatusCode, orStr(ae.Title, http.StatusText(ae.StatusCode)))
	}
	msg := explain(err)
	if i := strings.Index(msg, ". "); i > 0 {
		msg = msg[:i]
	}
	return msg
}

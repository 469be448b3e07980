// The phone-numbers resource: the workspace's OpenPhone numbers and the
// users who can use each.

package client

import "context"

// listPhoneNumbersParams are the query parameters of GET /v1/phone-numbers.
// ListPhoneNumbers takes the one parameter as an argument; the struct only
// routes it through encodeQuery like every other query.
type listPhoneNumbersParams struct {
	UserID string `url:"userId,omitempty"`
}

// ListPhoneNumbers lists the workspace's OpenPhone numbers (the API does not
// page them). A non-empty userID limits it to the numbers that user can
// access.
//
// API: GET /v1/phone-numbers (operationId listPhoneNumbers_v1)
func (c *Client) ListPhoneNumbers(ctx context.Context, userID string) ([]PhoneNumber, error) {
	var out struct {
		Data []PhoneNumber `json:"data"`
	}
	if err := c.get(ctx, "/v1/phone-numbers", encodeQuery(listPhoneNumbersParams{UserID: userID}), &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

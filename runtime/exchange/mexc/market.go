package mexc

import (
	"context"
	"fmt"
	"time"
)

// Account returns the account's permissions and balances with
// GET /api/v3/account (weight 10, at most two calls a second).
func (c *Client) Account(ctx context.Context) (*Account, error) {
	var a Account
	if err := c.do(ctx, epAccount, nil, &a, nil); err != nil {
		return nil, err
	}
	return &a, nil
}

// Depth returns the order book of symbol with GET /api/v3/depth, limit
// levels a side; limit 0 leaves the venue's default.
func (c *Client) Depth(ctx context.Context, symbol string, limit int) (*Depth, error) {
	if symbol == "" {
		return nil, fmt.Errorf("%w: no symbol", ErrInvalidRequest)
	}
	var p params
	p.add("symbol", symbol)
	if limit > 0 {
		p.addInt("limit", limit)
	}
	var d Depth
	if err := c.do(ctx, epDepth, p, &d, nil); err != nil {
		return nil, err
	}
	return &d, nil
}

// ServerTime returns the venue's clock, from GET /api/v3/time.
func (c *Client) ServerTime(ctx context.Context) (time.Time, error) {
	var st struct {
		ServerTime Millis `json:"serverTime"`
	}
	if err := c.do(ctx, epTime, nil, &st, nil); err != nil {
		return time.Time{}, err
	}
	if st.ServerTime <= 0 {
		return time.Time{}, fmt.Errorf("mexc: %s: no serverTime in the response", epTime.key())
	}
	return st.ServerTime.Time(), nil
}

// Ping checks that the venue answers, with GET /api/v3/ping.
func (c *Client) Ping(ctx context.Context) error {
	return c.do(ctx, epPing, nil, nil, nil)
}

package wsclient

import (
	"context"
	"encoding/json"
	"fmt"
)

// JSON returns a Handler that decodes each message as JSON into a new T and
// passes it to h along with the message.
//
// A message that does not decode never reaches h: the Handler returns a
// *DecodeError, which the Conn counts ("ws.malformed") and reports to
// Options.OnError before handling the next message as usual. One malformed
// push is not worth a connection.
func JSON[T any](h func(ctx context.Context, v *T, m Message) error) Handler {
	return func(ctx context.Context, m Message) error {
		v := new(T)
		if err := json.Unmarshal(m.Data, v); err != nil {
			return newDecodeError(m.Data, err)
		}
		return h(ctx, v, m)
	}
}

// A DecodeError reports a message that JSON could not decode.
type DecodeError struct {
	// Data is the start of the message, copied.
	Data []byte
	Err  error
}

// decodeErrorData bounds the copy kept in a DecodeError: enough to tell
// which message it was, without holding on to a whole snapshot.
const decodeErrorData = 256

func newDecodeError(data []byte, err error) *DecodeError {
	return &DecodeError{Data: append([]byte(nil), data[:min(len(data), decodeErrorData)]...), Err: err}
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("wsclient: malformed message %q: %v", e.Data, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

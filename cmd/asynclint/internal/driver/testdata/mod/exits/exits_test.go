package exits

import (
	"net/http"
	"testing"
)

func TestUnreachable(t *testing.T) {
	t.Skip("the rest does not run")
	http.Get("http://127.0.0.1:1/")
}

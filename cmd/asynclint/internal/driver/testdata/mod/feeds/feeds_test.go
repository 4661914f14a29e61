package feeds

import "testing"

func TestLastPrice(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a price server")
	}
	LastPrice("ETH")
}

package cleanup

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

func TestOrders(t *testing.T) {
	var db *sql.DB
	t.Cleanup(func() {
		// t.Context() is already cancelled here: nothing to thread.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		db.ExecContext(ctx, "DELETE FROM orders")
		db.Exec("DELETE FROM fills")
	})
	db.Exec("INSERT INTO orders VALUES (1)") // want `\(\*sql.DB\).Exec blocks without a context while t.Context\(\) is in scope`
}

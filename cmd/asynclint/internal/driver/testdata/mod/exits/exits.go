// Package exits has code that no call reaches: after log.Fatal, which
// is known not to return only from facts about the standard library.
package exits

import (
	"context"
	"log"
	"net/http"
)

func die() {
	log.Fatal("giving up")
	http.Get("http://127.0.0.1:1/")
}

func Use(ctx context.Context) { die() }

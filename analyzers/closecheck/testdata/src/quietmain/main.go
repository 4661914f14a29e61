package main

import (
	"database/sql"
	"net/http"
)

func main() {
	db, err := sql.Open("driver", "dsn")
	if err != nil {
		panic(err)
	}
	_ = db
	resp, err := http.Get("http://127.0.0.1:1")
	if err != nil {
		return
	}
	_ = resp.StatusCode
}

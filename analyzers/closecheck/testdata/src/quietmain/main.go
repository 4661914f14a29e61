package main

import (
	"database/sql"
	"net/http"
	"os"
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

var logFile *os.File

func init() {
	f, err := os.Create("/tmp/quietmain.log")
	if err != nil {
		return
	}
	logFile = f
	cfg, err := os.Open("/etc/quietmain.conf")
	if err != nil {
		return
	}
	_ = cfg.Name()
}

package leaks

import (
	"crypto/tls"
	"database/sql"
	"net"
	"net/http"
	"os"
)

func packets() (string, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // want `packet connection from net.ListenPacket is never closed: its socket stays open`
	if err != nil {
		return "", err
	}
	return pc.LocalAddr().String(), nil
}

func tlsDial(addr string) error {
	c, err := tls.Dial("tcp", addr, nil) // want `connection from tls.Dial is never closed`
	if err != nil {
		return err
	}
	return c.Handshake()
}

func openDB(dsn string) error {
	db, err := sql.Open("postgres", dsn) // want `database handle from sql.Open is never closed: its connection pool stays open`
	if err != nil {
		return err
	}
	return db.Ping()
}

func pipe() error {
	r, w, err := os.Pipe() // want `file from os.Pipe is never closed`
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = r.Read(make([]byte, 1))
	return err
}

func hijack(w http.ResponseWriter) error {
	conn, _, err := http.NewResponseController(w).Hijack() // want `connection from http.NewResponseController\(w\).Hijack is never closed`
	if err != nil {
		return err
	}
	_, err = conn.Write([]byte("HTTP/1.1 101 Switching Protocols\r\n\r\n"))
	return err
}

// Package apitest is a client of foyer's HTTP API for tests: it sends a
// request (a JSON body, raw bytes, or none; a bearer token or none) and
// reads the whole answer, which it can check against the API's contract:
// a status, a JSON body, the error shape. The handler tests of
// internal/web and the end-to-end tests of internal/e2e share it.
//
// It lives in an ordinary .go file so that tests of every package can
// import it; foyer itself never does.
package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Client sends requests to one foyer.
type Client struct {
	Base  string       // http://127.0.0.1:PORT, without a trailing slash
	Token string       // bearer token, "" for none
	HTTP  *http.Client // nil for http.DefaultClient
	// OnError adds to the failure message of a request that could not be
	// sent, such as the server's log.
	OnError func() string
}

// Response is an HTTP answer, read in full.
type Response struct {
	Method, Path string
	Status       int
	Header       http.Header
	Body         []byte
}

// JSON sends a request whose body is nil (none), []byte or a string (sent
// as they are), or anything else (encoded as JSON), with the client's token.
// It asks for JSON back.
func (c Client) JSON(t testing.TB, method, path string, body any) *Response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	header := []string{"Accept", "application/json"}
	if r != nil {
		header = append(header, "Content-Type", "application/json")
	}
	if c.Token != "" {
		header = append(header, "Authorization", "Bearer "+c.Token)
	}
	return c.Do(t, method, path, r, header...)
}

// Do sends a request as it is; path starts with "/". header holds pairs of
// names and values.
func (c Client) Do(t testing.TB, method, path string, body io.Reader, header ...string) *Response {
	t.Helper()
	req, err := http.NewRequest(method, c.Base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		more := ""
		if c.OnError != nil {
			more = "\n" + c.OnError()
		}
		t.Fatalf("%s %s: %v%s", method, path, err, more)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &Response{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Body: data}
}

func (r *Response) String() string {
	return fmt.Sprintf("%s %s: %d\n%s", r.Method, r.Path, r.Status, Clip(string(r.Body), 2000))
}

// Clip shortens s to about n bytes for a failure message.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// Want fails the test unless the response has that status.
func (r *Response) Want(t testing.TB, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want %d, got %s", status, r)
	}
	return r
}

// Decode decodes the JSON body into v, failing the test unless the body is
// JSON as its Content-Type says.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json: %s", ct, r)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode JSON: %v: %s", err, r)
	}
}

// Error is the body of every API error, inside {"error": …}.
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
	// RequestID is the id of the request, as in its X-Request-ID header,
	// for finding its line in the server's log.
	RequestID string `json:"request_id"`
}

// Error checks that the response has the status and exactly the JSON error
// shape {"error":{"code","message"[,"fields"],"request_id"}}, with the
// request id of its X-Request-ID header, and returns the error.
func (r *Response) Error(t testing.TB, status int) Error {
	t.Helper()
	r.Want(t, status)
	var shape map[string]json.RawMessage
	r.Decode(t, &shape)
	if len(shape) != 1 || shape["error"] == nil {
		t.Fatalf("want a body {\"error\":{…}} only: %s", r)
	}
	var e Error
	dec := json.NewDecoder(bytes.NewReader(shape["error"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error object: %v: %s", err, r)
	}
	if e.Code == "" || e.Message == "" {
		t.Fatalf("error without code or message: %s", r)
	}
	if e.RequestID == "" || e.RequestID != r.Header.Get("X-Request-ID") {
		t.Fatalf("error request_id %q, X-Request-ID %q: %s", e.RequestID, r.Header.Get("X-Request-ID"), r)
	}
	return e
}

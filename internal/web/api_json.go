package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// The API speaks JSON only: a body of any other type is refused with 415
// before a handler sees it. Beside being honest, this keeps cross-site
// forms out, which can send text/plain but never application/json.

// requireJSON refuses a request body that is not application/json (UTF-8,
// the only charset JSON has). Requests without a body, such as the
// organiser's actions, need no type.
func requireJSON(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength == 0 || safeMethod(r.Method) {
			return next(c)
		}
		mt, params, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
		if err != nil || mt != echo.MIMEApplicationJSON {
			return problem(c, http.StatusUnsupportedMediaType, "unsupported_media_type")
		}
		for k, v := range params {
			if k != "charset" || !strings.EqualFold(v, "utf-8") {
				return problem(c, http.StatusUnsupportedMediaType, "unsupported_media_type")
			}
		}
		return next(c)
	}
}

// readBody reads a JSON request body, refusing what is too large (413, via
// the body limit) or not UTF-8 (400): encoding/json would silently replace
// broken bytes with U+FFFD, and we never store what the user did not send.
func readBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return nil, problem(c, http.StatusBadRequest, "bad_request")
	}
	if !utf8.Valid(body) {
		return nil, problem(c, http.StatusBadRequest, "bad_utf8")
	}
	return body, nil
}

// decodeStrict decodes a JSON body into v: unknown fields and anything
// after the value are refused with 400, naming what is wrong.
func decodeStrict(c echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if _, more := dec.Token(); more != io.EOF {
			err = errors.New("data after the JSON value")
		}
	}
	if err != nil {
		p := problem(c, http.StatusBadRequest, "bad_json")
		p.Fields = map[string]string{"body": jsonErrorText(err)}
		return p
	}
	return nil
}

func jsonErrorText(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "empty or cut short"
	}
	return msg
}

package app

import (
	"io"
	"log/slog"
)

// NewLogger returns foyer's logger writing to w: logfmt-style text lines by
// default, or one JSON object per line for log shippers (FOYER_LOG_FORMAT),
// from level on (FOYER_LOG_LEVEL: debug, info, warn or error; anything else
// is info).
func NewLogger(format, level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

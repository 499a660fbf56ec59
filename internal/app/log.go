package app

import (
	"io"
	"log/slog"
)

// NewLogger returns foyer's logger writing to w: logfmt-style text lines by
// default, or one JSON object per line for log shippers (FOYER_LOG_FORMAT).
func NewLogger(format string, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

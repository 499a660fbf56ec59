// Package config reads foyer's settings from FOYER_* environment variables.
package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Config is every setting foyer reads at start. The zero value is not useful:
// build one with Load.
type Config struct {
	Addr      string // FOYER_ADDR: listen address
	Data      string // FOYER_DATA: folder for foyer.db and mail/
	BaseURL   string // FOYER_BASE_URL: absolute links in emails, no trailing slash
	SMTPURL   string // FOYER_SMTP_URL: empty writes .eml files instead
	MailFrom  string // FOYER_MAIL_FROM
	RateLimit bool   // FOYER_RATE_LIMIT: "off" disables per-client limits
	// MetricsToken (FOYER_METRICS_TOKEN) lets a scraper on another machine
	// read /metrics with it as a bearer token; loopback needs none.
	MetricsToken string
	LogFormat    string // FOYER_LOG_FORMAT: "text" or "json"
	// LogLevel (FOYER_LOG_LEVEL) is the least level logged: "debug",
	// "info", "warn" or "error".
	LogLevel string
	// TrustedProxies (FOYER_TRUSTED_PROXIES) are the reverse proxies whose
	// X-Forwarded-For and X-Forwarded-Proto are believed.
	TrustedProxies []netip.Prefix
	// PprofAddr (FOYER_PPROF_ADDR) is a loopback host:port where Go's
	// profiler answers; empty (the default) starts no profiler.
	PprofAddr string
}

// Load builds the configuration from getenv (os.Getenv in production) and
// validates it, naming the variable that is wrong.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:      "127.0.0.1:8080",
		Data:      "./data",
		MailFrom:  "foyer@localhost",
		RateLimit: true,
		LogFormat: "text",
		LogLevel:  "info",
	}
	if v := getenv("FOYER_ADDR"); v != "" {
		c.Addr = v
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return c, fmt.Errorf("FOYER_ADDR %q is not host:port: %w", c.Addr, err)
	}
	if v := getenv("FOYER_DATA"); v != "" {
		c.Data = v
	}
	c.BaseURL = "http://" + c.Addr
	if v := getenv("FOYER_BASE_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("FOYER_BASE_URL %q must be an absolute http(s) URL", v)
		}
		c.BaseURL = strings.TrimRight(v, "/")
	}
	if v := getenv("FOYER_SMTP_URL"); v != "" {
		if _, err := ParseSMTPURL(v); err != nil {
			return c, fmt.Errorf("FOYER_SMTP_URL: %w", err)
		}
		c.SMTPURL = v
	}
	if v := getenv("FOYER_MAIL_FROM"); v != "" {
		if !strings.Contains(v, "@") {
			return c, fmt.Errorf("FOYER_MAIL_FROM %q is not an email address", v)
		}
		c.MailFrom = v
	}
	switch v := strings.ToLower(getenv("FOYER_RATE_LIMIT")); v {
	case "", "on":
	case "off":
		c.RateLimit = false
	default:
		return c, fmt.Errorf("FOYER_RATE_LIMIT %q must be on or off", v)
	}
	if v := getenv("FOYER_METRICS_TOKEN"); v != "" {
		// A short token could be guessed by anyone who can reach /metrics.
		if len(v) < 16 || strings.ContainsAny(v, " \t\r\n") {
			return c, fmt.Errorf("FOYER_METRICS_TOKEN must be at least 16 characters without spaces")
		}
		c.MetricsToken = v
	}
	switch v := strings.ToLower(getenv("FOYER_LOG_FORMAT")); v {
	case "", "text":
	case "json":
		c.LogFormat = "json"
	default:
		return c, fmt.Errorf("FOYER_LOG_FORMAT %q must be text or json", v)
	}
	switch v := strings.ToLower(getenv("FOYER_LOG_LEVEL")); v {
	case "":
	case "debug", "info", "warn", "error":
		c.LogLevel = v
	default:
		return c, fmt.Errorf("FOYER_LOG_LEVEL %q must be debug, info, warn or error", v)
	}
	proxies, err := parseProxies(getenv("FOYER_TRUSTED_PROXIES"))
	if err != nil {
		return c, fmt.Errorf("FOYER_TRUSTED_PROXIES: %w", err)
	}
	c.TrustedProxies = proxies
	if v := getenv("FOYER_PPROF_ADDR"); v != "" {
		if !loopback(v) {
			return c, fmt.Errorf("FOYER_PPROF_ADDR %q must be a loopback host:port such as 127.0.0.1:6060: profiles show the server's memory", v)
		}
		c.PprofAddr = v
	}
	return c, nil
}

// loopback reports whether addr is host:port with a host that only this
// machine reaches: localhost, 127.0.0.0/8 or ::1.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Zone() == "" && a.Unmap().IsLoopback()
}

// parseProxies reads a comma-separated list of CIDRs (a bare address counts
// as one host). A prefix with bits set past its length (10.0.0.5/8) is
// refused rather than guessed at: it is usually a typo for another range.
func parseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8, 192.0.2.7/32 or fd00::/8", item)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8, 192.0.2.7/32 or fd00::/8", item)
		}
		if p.Masked() != p {
			return nil, fmt.Errorf("%q has address bits set past /%d; did you mean %s?", item, p.Bits(), p.Masked())
		}
		out = append(out, p)
	}
	return out, nil
}

// SMTP is a parsed FOYER_SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	User     string
	Password string
	TLS      string // none, starttls or tls; "" uses STARTTLS when the server offers it
}

// ParseSMTPURL reads smtp://user:pass@host:port?tls=none|starttls|tls.
// Without tls= the port decides: 465 (or smtps://) is implicit TLS, others
// use STARTTLS when the server offers it, and plain SMTP when it does not.
func ParseSMTPURL(raw string) (SMTP, error) {
	var s SMTP
	u, err := url.Parse(raw)
	if err != nil {
		return s, fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return s, fmt.Errorf("scheme must be smtp://, not %q", u.Scheme)
	}
	host, portText, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, portText = u.Host, "25"
	}
	if host == "" {
		return s, fmt.Errorf("missing host")
	}
	var port int
	if _, err := fmt.Sscanf(portText, "%d", &port); err != nil || port < 1 || port > 65535 {
		return s, fmt.Errorf("port %q is not a number from 1 to 65535", portText)
	}
	s.Host, s.Port = host, port
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	s.TLS = u.Query().Get("tls")
	switch {
	case s.TLS == "" && (u.Scheme == "smtps" || port == 465):
		s.TLS = "tls"
	case s.TLS == "":
	case s.TLS != "none" && s.TLS != "starttls" && s.TLS != "tls":
		return s, fmt.Errorf("tls=%q must be none, starttls or tls", s.TLS)
	}
	return s, nil
}

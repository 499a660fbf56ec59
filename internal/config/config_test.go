package config

import (
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := Load(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.Data != "./data" || c.BaseURL != "http://127.0.0.1:8080" || !c.RateLimit || c.MailFrom != "foyer@localhost" ||
		c.LogFormat != "text" || c.LogLevel != "info" || c.MetricsToken != "" {
		t.Errorf("defaults = %+v", c)
	}
	c, err = Load(env("FOYER_ADDR", "0.0.0.0:9000", "FOYER_BASE_URL", "https://forum.example.org/", "FOYER_RATE_LIMIT", "off",
		"FOYER_LOG_FORMAT", "JSON", "FOYER_METRICS_TOKEN", "scrape-0123456789abcdef", "FOYER_LOG_LEVEL", "Debug"))
	if err != nil || c.BaseURL != "https://forum.example.org" || c.RateLimit || c.LogFormat != "json" || c.MetricsToken != "scrape-0123456789abcdef" ||
		c.LogLevel != "debug" {
		t.Errorf("overrides = %+v, %v", c, err)
	}
	bad := []struct{ name, value string }{
		{"FOYER_ADDR", "8080"},
		{"FOYER_BASE_URL", "forum.example.org"},
		{"FOYER_SMTP_URL", "http://mail.example.org"},
		{"FOYER_SMTP_URL", "smtp://mail.example.org:99999"},
		{"FOYER_SMTP_URL", "smtp://mail.example.org?tls=maybe"},
		{"FOYER_MAIL_FROM", "nobody"},
		{"FOYER_RATE_LIMIT", "sometimes"},
		{"FOYER_LOG_FORMAT", "logfmt"},
		{"FOYER_LOG_LEVEL", "verbose"},
		{"FOYER_METRICS_TOKEN", "short"},
		{"FOYER_METRICS_TOKEN", "has a space in the middle"},
		{"FOYER_TRUSTED_PROXIES", "10.0.0.0/33"},
		{"FOYER_TRUSTED_PROXIES", "proxy.example.org"},
		{"FOYER_TRUSTED_PROXIES", "10.0.0.5/8"},
		{"FOYER_TRUSTED_PROXIES", "127.0.0.1/32,,10.0.0.0/8;192.168.0.0/16"},
		{"FOYER_PPROF_ADDR", ":6060"},
		{"FOYER_PPROF_ADDR", "0.0.0.0:6060"},
		{"FOYER_PPROF_ADDR", "192.0.2.7:6060"},
		{"FOYER_PPROF_ADDR", "forum.example.org:6060"},
		{"FOYER_PPROF_ADDR", "127.0.0.1"},
	}
	for _, b := range bad {
		if _, err := Load(env(b.name, b.value)); err == nil || !strings.Contains(err.Error(), b.name) {
			t.Errorf("%s=%q: error %v, want one naming the variable", b.name, b.value, err)
		}
	}
}

func TestPprofAddr(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:6060", "localhost:6060", "[::1]:6060", "127.0.0.2:0"} {
		c, err := Load(func(k string) string {
			if k == "FOYER_PPROF_ADDR" {
				return addr
			}
			return ""
		})
		if err != nil || c.PprofAddr != addr {
			t.Errorf("FOYER_PPROF_ADDR=%s: %q, %v", addr, c.PprofAddr, err)
		}
	}
	if c, _ := Load(func(string) string { return "" }); c.PprofAddr != "" {
		t.Errorf("profiler on by default at %q", c.PprofAddr)
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := Load(func(k string) string {
		if k == "FOYER_TRUSTED_PROXIES" {
			return " 10.0.0.0/8, 192.0.2.7 ,fd00::/8,"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.0.2.7/32 fd00::/8" {
		t.Errorf("trusted proxies = %v", got)
	}
}

func TestParseSMTPURL(t *testing.T) {
	cases := []struct {
		url  string
		want SMTP
	}{
		{"smtp://mail.example.org", SMTP{Host: "mail.example.org", Port: 25}},
		{"smtp://u%40x:p%3Aw@mail.example.org:587?tls=starttls", SMTP{Host: "mail.example.org", Port: 587, User: "u@x", Password: "p:w", TLS: "starttls"}},
		{"smtp://mail.example.org:465", SMTP{Host: "mail.example.org", Port: 465, TLS: "tls"}},
		{"smtps://mail.example.org:2465", SMTP{Host: "mail.example.org", Port: 2465, TLS: "tls"}},
		{"smtp://127.0.0.1:1025?tls=none", SMTP{Host: "127.0.0.1", Port: 1025, TLS: "none"}},
	}
	for _, c := range cases {
		got, err := ParseSMTPURL(c.url)
		if err != nil || got != c.want {
			t.Errorf("%s = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}

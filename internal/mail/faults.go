package mail

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/textproto"
	"strings"
)

// Steps of a session with an SMTP server, in order: what Probe and
// SendTraced report, and where a StepError happened.
const (
	StepConnect = "connect" // TCP connection, greeting, EHLO
	StepTLS     = "tls"     // STARTTLS or implicit TLS, the certificate checked
	StepLogin   = "login"   // AUTH, when FOYER_SMTP_URL has a user
	StepSend    = "send"    // MAIL FROM, RCPT TO, DATA
)

// Trace hears of each step of a session: its name, what it did (server,
// TLS version and certificate, user; never the password) and its error,
// nil when it worked. The steps up to the login are told together once
// the login has passed or a step has failed (go-mail runs them in one
// call), the send when it ends. A nil Trace hears nothing.
type Trace func(step, detail string, err error)

func (t Trace) report(step, detail string, err error) {
	if t != nil {
		t(step, detail, err)
	}
}

// fail reports a failed step and returns its error.
func (t Trace) fail(step, detail string, fault Fault, err error) error {
	se := &StepError{Step: step, Fault: fault, Err: err}
	t.report(step, detail, se)
	return se
}

// StepError is a failure at one step of a session.
type StepError struct {
	Step  string
	Fault Fault // "" when the failure is about the message, not the settings
	Err   error
}

func (e *StepError) Error() string { return e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Fault is a failure that no message can get past: the server cannot be
// reached, or the settings (FOYER_SMTP_URL, FOYER_MAIL_FROM, the trusted
// certificates) do not fit it. Every email fails alike until it is mended,
// so emails wait rather than fail.
type Fault string

// Faults, by the step that shows them.
const (
	FaultUnreachable Fault = "unreachable" // no connection, no greeting
	FaultTLS         Fault = "tls"         // STARTTLS missing or the handshake failed
	FaultCertificate Fault = "certificate" // the server's certificate is not trusted or not for its name
	FaultLogin       Fault = "login"       // login refused, or needed and not configured
	FaultSender      Fault = "sender"      // the server refuses FOYER_MAIL_FROM
)

// Faults lists every fault, for catalogues and tests.
var Faults = []Fault{FaultUnreachable, FaultTLS, FaultCertificate, FaultLogin, FaultSender}

// FaultOf returns the fault behind err, "" when err is about one message
// (or nil).
func FaultOf(err error) Fault {
	var se *StepError
	if errors.As(err, &se) {
		return se.Fault
	}
	return ""
}

// Reason names the fault in a few words, without hosts or addresses.
func (f Fault) Reason() string {
	switch f {
	case FaultUnreachable:
		return "SMTP server unreachable"
	case FaultTLS:
		return "SMTP TLS failed"
	case FaultCertificate:
		return "SMTP server certificate not trusted"
	case FaultLogin:
		return "SMTP login refused"
	case FaultSender:
		return "SMTP server refuses the sender address"
	}
	return string(f)
}

// Check says what an operator should look at to mend the fault.
func (f Fault) Check() string {
	switch f {
	case FaultUnreachable:
		return "check the host and port in FOYER_SMTP_URL, and that the server runs and can be reached from here"
	case FaultTLS:
		return "check the port and tls= in FOYER_SMTP_URL (587 with tls=starttls, 465 with tls=tls)"
	case FaultCertificate:
		return "check the host name in FOYER_SMTP_URL; a certificate of your own CA must be trusted by the system (update-ca-certificates) or through SSL_CERT_FILE or SSL_CERT_DIR"
	case FaultLogin:
		return "check the user and password in FOYER_SMTP_URL"
	case FaultSender:
		return "check that FOYER_MAIL_FROM is an address the SMTP account may send from"
	}
	return "check FOYER_SMTP_URL"
}

// Permanent reports whether err means the message will never be delivered
// as it is: a 5xx reply to RCPT or DATA (no such user, message rejected),
// or an invalid message. Timeouts, refused or reset connections, EOF, 4xx
// replies and every Fault are temporary: the server or the settings can be
// mended and the message sent later.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	if FaultOf(err) != "" {
		return false
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

// tlsFault tells a certificate that is not trusted (unknown issuer, wrong
// name, expired) from other TLS trouble.
func tlsFault(err error) Fault {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return FaultCertificate
	}
	return FaultTLS
}

// isTLSError reports whether err comes from TLS itself: the certificate,
// an alert from the server, bytes that are not TLS.
func isTLSError(err error) bool {
	var header tls.RecordHeaderError
	var op *net.OpError
	return tlsFault(err) == FaultCertificate || errors.As(err, &header) ||
		errors.As(err, &op) && op.Op == "remote error" // how crypto/tls reports an alert
}

// senderFault tells a refused sender (the settings' fault: FOYER_MAIL_FROM
// is not allowed for the account, or no login was configured where one is
// required) from a passing trouble at MAIL FROM.
func senderFault(err error) Fault {
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code < 500 || te.Code > 599 {
		return ""
	}
	// "530 5.7.0 Authentication required", "502 5.7.0 Please authenticate
	// first": a login is needed and FOYER_SMTP_URL has none (or another
	// account's).
	if te.Code == 530 || te.Code == 534 || te.Code == 535 || strings.Contains(strings.ToLower(te.Msg), "auth") {
		return FaultLogin
	}
	return FaultSender
}

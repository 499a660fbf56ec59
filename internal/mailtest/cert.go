package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TLSConfig returns a client configuration that trusts the server's
// certificate (its CA with WithTestCA), or nil when the server runs
// without TLS.
func (s *Server) TLSConfig() *tls.Config {
	if s.cert == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(s.cert)
	return &tls.Config{RootCAs: pool, ServerName: s.Host(), MinVersion: tls.VersionTLS12}
}

// CAFile writes the certificate a client must trust (the test CA's with
// WithTestCA, else the self-signed one) as PEM into a file of the test's
// and returns its path, for SSL_CERT_FILE.
func (s *Server) CAFile(t testing.TB) string {
	t.Helper()
	if s.cert == nil {
		t.Fatal("mailtest: CAFile of a server without TLS")
	}
	path := filepath.Join(t.TempDir(), "mailtest-ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cert.Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	return path
}

// makeCert creates the server's certificate for the loopback names:
// self-signed, or issued by a new test CA (WithTestCA).
func (s *Server) makeCert() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	if !s.testCA {
		leaf.IsCA, leaf.KeyUsage = true, leaf.KeyUsage|x509.KeyUsageCertSign
		der, err := x509.CreateCertificate(rand.Reader, leaf, leaf, &key.PublicKey, key)
		if err != nil {
			return err
		}
		if s.cert, err = x509.ParseCertificate(der); err != nil {
			return err
		}
		s.tlsCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: s.cert}
		return nil
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest CA", Organization: []string{"foyer tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	if s.cert, err = x509.ParseCertificate(caDER); err != nil {
		return err
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, s.cert, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	parsed, err := x509.ParseCertificate(leafDER)
	if err != nil {
		return err
	}
	// The chain a server sends: its own certificate, then the issuer.
	s.tlsCert = tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: key, Leaf: parsed}
	return nil
}

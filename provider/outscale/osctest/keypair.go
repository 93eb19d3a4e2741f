package osctest

import (
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"strings"
)

// keypairRes is a keypair: a name unique in the account, an id, and the
// public key's type and MD5 fingerprint.
type keypairRes struct {
	id, name, typ, fingerprint string
}

type keypairOut struct {
	KeypairFingerprint string
	KeypairId          string
	KeypairName        string
	KeypairType        string
	Tags               []tag
}

func init() {
	handlers["CreateKeypair"] = (*Server).createKeypair
	handlers["ReadKeypairs"] = (*Server).readKeypairs
	handlers["DeleteKeypair"] = (*Server).deleteKeypair
}

// codeKeypairExists is the 409 of CreateKeypair for a name in use
// (research: QA id 11949784965); codeNotFoundKeypair is chosen.
const (
	codeKeypairExists   = "9011"
	codeNotFoundKeypair = "5073"
)

// createKeypair imports a public key (PublicKey, Base64 of an OpenSSH
// authorized_keys line) or, without one, makes an ed25519 key and returns
// its private key. Names are unique: a second one is 409, code 9011.
func (s *Server) createKeypair(body []byte) (map[string]any, *apiError) {
	var in struct{ KeypairName, PublicKey string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.KeypairName == "" || len(in.KeypairName) > 255 || strings.IndexFunc(in.KeypairName, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return nil, invalidValue(codeInvalidParameterValue, "invalid KeypairName %q: 1-255 printable ASCII characters", in.KeypairName)
	}
	for _, k := range s.keypairs {
		if k.name == in.KeypairName {
			return nil, conflict(codeKeypairExists, "The keypair '%s' already exists", in.KeypairName)
		}
	}
	kp, private, e := newKeypair(in.PublicKey)
	if e != nil {
		return nil, e
	}
	s.seq++
	kp.id, kp.name = fmt.Sprintf("key-%032x", s.seq), in.KeypairName
	s.keypairs[kp.id] = kp
	out := map[string]any{"KeypairFingerprint": kp.fingerprint, "KeypairId": kp.id, "KeypairName": kp.name,
		"KeypairType": kp.typ, "Tags": []tag{}}
	if private != "" {
		out["PrivateKey"] = private
	}
	return map[string]any{"Keypair": out}, nil
}

// newKeypair reads the public key to import, or makes one.
func newKeypair(public string) (kp *keypairRes, private string, e *apiError) {
	if public == "" {
		pk, sk, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, "", &apiError{Status: 500, Type: "InternalError", Code: codeInternal, Details: err.Error()}
		}
		der, err := x509.MarshalPKCS8PrivateKey(sk)
		if err != nil {
			return nil, "", &apiError{Status: 500, Type: "InternalError", Code: codeInternal, Details: err.Error()}
		}
		blob := wireString(wireString(nil, []byte("ssh-ed25519")), pk)
		return &keypairRes{typ: "ssh-ed25519", fingerprint: md5Fingerprint(blob)},
			string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
	}
	line, err := base64.StdEncoding.DecodeString(public)
	bad := func(why string) *apiError {
		return invalidValue(codeInvalidParameterValue, "invalid PublicKey: %s; give the Base64 of an OpenSSH public key line", why)
	}
	if err != nil {
		return nil, "", bad("not Base64")
	}
	f := strings.Fields(string(line))
	if len(f) < 2 {
		return nil, "", bad("not \"<type> <key>\"")
	}
	switch f[0] {
	case "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
	default:
		return nil, "", bad("key type " + f[0] + " is not one OUTSCALE imports")
	}
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil || len(blob) < 4 || int(binary.BigEndian.Uint32(blob)) != len(f[0]) || string(blob[4:4+min(len(f[0]), len(blob)-4)]) != f[0] {
		return nil, "", bad("the key blob does not hold its type")
	}
	return &keypairRes{typ: f[0], fingerprint: md5Fingerprint(blob)}, "", nil
}

// wireString appends s as an SSH wire string (RFC 4251).
func wireString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// md5Fingerprint is the RFC 4716 fingerprint OUTSCALE reports:
// "aa:bb:...", 16 pairs.
func md5Fingerprint(blob []byte) string {
	sum := md5.Sum(blob)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

func (s *Server) readKeypairs(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []keypairOut
	for _, id := range sortedKeys(s.keypairs) {
		k := s.keypairs[id]
		if any1(f.KeypairIds, id) && any1(f.KeypairNames, k.name) && any1(f.KeypairFingerprints, k.fingerprint) &&
			any1(f.KeypairTypes, k.typ) && s.tagsMatch(id, f) {
			out = append(out, keypairOut{KeypairFingerprint: k.fingerprint, KeypairId: id, KeypairName: k.name, KeypairType: k.typ, Tags: s.tagList(id)})
		}
	}
	return pageOut("Keypairs", out, &in)
}

// deleteKeypair deletes by KeypairId or KeypairName; an unknown one is an
// error, as for the other deletes.
func (s *Server) deleteKeypair(body []byte) (map[string]any, *apiError) {
	var in struct{ KeypairId, KeypairName string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, id := range sortedKeys(s.keypairs) {
		k := s.keypairs[id]
		if in.KeypairId != "" && id == in.KeypairId || in.KeypairId == "" && in.KeypairName != "" && k.name == in.KeypairName {
			delete(s.keypairs, id)
			delete(s.tags, id)
			return nil, nil
		}
	}
	return nil, notFound(codeNotFoundKeypair, "Keypair", in.KeypairId+in.KeypairName)
}

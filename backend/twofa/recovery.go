package twofa

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Recovery codes: 10 characters from an alphabet without look-alikes
// (no 0/o, 1/l/i), shown as two groups of five ("k7m2p-x9qrt"): about 49
// bits each. Stored as argon2id hashes with a random salt (docs/adr/0012).
const (
	recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	recoveryLen      = 10
)

// argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes,
// 1 lane). They are written into each hash, so they can change later.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

func newRecoveryCodes() (codes, hashes []string, err error) {
	for range recoveryCount {
		c, err := randomCode()
		if err != nil {
			return nil, nil, err
		}
		h, err := hashRecovery(c)
		if err != nil {
			return nil, nil, err
		}
		codes = append(codes, c[:5]+"-"+c[5:])
		hashes = append(hashes, h)
	}
	return codes, hashes, nil
}

func randomCode() (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < recoveryLen {
		if err := randomBytes(buf); err != nil {
			return "", fmt.Errorf("recovery code: %w", err)
		}
		// Rejection sampling keeps the alphabet uniform.
		if int(buf[0]) >= 256/len(recoveryAlphabet)*len(recoveryAlphabet) {
			continue
		}
		b.WriteByte(recoveryAlphabet[int(buf[0])%len(recoveryAlphabet)])
	}
	return b.String(), nil
}

// normalizeRecovery lower-cases a typed recovery code and drops spaces and
// dashes; "" if it cannot be one.
func normalizeRecovery(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r == ' ' || r == '-':
		case strings.ContainsRune(recoveryAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != recoveryLen {
		return ""
	}
	return b.String()
}

func hashRecovery(code string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if err := randomBytes(salt); err != nil {
		return "", fmt.Errorf("recovery code salt: %w", err)
	}
	key := argon2.IDKey([]byte(code), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// checkRecoveryHash compares a normalised code with a PHC argon2id string.
func checkRecoveryHash(phc, code string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 || t > 16 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(code), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

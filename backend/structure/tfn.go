package structure

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"structura/backend/apperr"
	"structura/backend/model"
	"structura/backend/secrets"
	"structura/backend/store"
)

// TFNKeyName is the keychain entry holding the AES-256 key that encrypts
// tax file numbers (base64). It is created on first use.
const TFNKeyName = "tfn-encryption-key-v1"

const tfnFormatV1 = 1

// tfnAEAD returns the cipher for tax file numbers, loading the key from the
// keychain (creating it when create is set and no TFN is stored yet).
func (s *Service) tfnAEAD(ctx context.Context, create bool) (cipher.AEAD, error) {
	s.tfnMu.Lock()
	defer s.tfnMu.Unlock()
	if s.tfnAEADv != nil {
		return s.tfnAEADv, nil
	}
	enc, err := s.sec.Get(ctx, TFNKeyName)
	switch {
	case errors.Is(err, secrets.ErrNotFound):
		var stored int
		if verr := s.st.View(ctx, func(tx *store.Tx) error {
			var err error
			stored, err = tx.CountTFNs(ctx)
			return err
		}); verr != nil {
			return nil, verr
		}
		if stored > 0 || !create {
			return nil, apperr.New(apperr.CodeKeychain,
				"The key that protects tax file numbers is missing from the system keychain, so Structura cannot read or add tax file numbers.",
				fmt.Sprintf("If this computer's keychain was reset or the data folder was copied from another computer, restore the keychain entry \"%s\" from a backup. All other details can still be edited.", TFNKeyName))
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		enc = base64.StdEncoding.EncodeToString(key)
		if err := s.sec.Set(ctx, TFNKeyName, enc); err != nil {
			return nil, err
		}
		s.log.Info("created the tax file number key in the system keychain")
	case err != nil:
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(key) != 32 {
		return nil, apperr.New(apperr.CodeKeychain,
			"The key that protects tax file numbers in the system keychain is damaged.",
			fmt.Sprintf("Restore the keychain entry \"%s\" from a backup.", TFNKeyName))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	s.tfnAEADv = aead
	return aead, nil
}

// tfnAAD binds a ciphertext to its entity, so a ciphertext copied onto
// another row does not decrypt.
func tfnAAD(entityID int64) []byte {
	return []byte("structura-tfn-v1:" + strconv.FormatInt(entityID, 10))
}

// sealTFN encrypts digits: version byte, 12-byte nonce, AES-GCM ciphertext.
func sealTFN(aead cipher.AEAD, entityID int64, digits string) ([]byte, error) {
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{tfnFormatV1}, nonce...)
	return aead.Seal(out, nonce, []byte(digits), tfnAAD(entityID)), nil
}

func openTFN(aead cipher.AEAD, entityID int64, blob []byte) (string, error) {
	ns := aead.NonceSize()
	if len(blob) < 1+ns || blob[0] != tfnFormatV1 {
		return "", errors.New("tfn ciphertext: unknown format")
	}
	pt, err := aead.Open(nil, blob[1:1+ns], blob[1+ns:], tfnAAD(entityID))
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

func last3(digits string) string {
	if len(digits) < 3 {
		return digits
	}
	return digits[len(digits)-3:]
}

// TaxFileNumber decrypts an entity's full TFN ("" if none). It exists for
// the sync push (XPM accepts a full TFN on write) and must never be bound to
// the UI: the screen shows Entity.TFNLast3 only.
func (s *Service) TaxFileNumber(ctx context.Context, entityID int64) (string, error) {
	var blob []byte
	if err := s.st.View(ctx, func(tx *store.Tx) error {
		var err error
		blob, err = tx.EntityTFNCipher(ctx, entityID)
		return err
	}); err != nil {
		return "", err
	}
	if blob == nil {
		return "", nil
	}
	aead, err := s.tfnAEAD(ctx, false)
	if err != nil {
		return "", err
	}
	tfn, err := openTFN(aead, entityID, blob)
	if err != nil {
		return "", apperr.Wrap(err, apperr.CodeKeychain,
			"Structura could not decrypt this tax file number: the key in the system keychain does not match it.",
			"Re-enter the tax file number on the entity, or restore the keychain entry \""+TFNKeyName+"\" from a backup.")
	}
	if !model.ValidTFN(tfn) {
		return "", errors.New("tfn: decrypted value is not a TFN")
	}
	return tfn, nil
}

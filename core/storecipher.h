#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>

namespace frostline {

// Encryption at rest for one store (optional, chosen at `init`).
//
// STORE/encryption.json (owner-only) holds only public parameters: the cipher, the KDF and its
// parameters, the salt, and a key-check value (a known token sealed with the derived key) so a
// wrong passphrase is refused before the WAL or Berkeley DB is touched. The passphrase itself is
// never written anywhere.
//
// Keys: scrypt(passphrase, salt) gives a master key; HKDF-SHA256 derives from it one subkey for
// the AEAD (AES-256-GCM: WAL record payloads and hot-checkpoint values) and one for Berkeley
// DB's own encryption (DB_ENCRYPT_AES, handed over as hex, never the passphrase).
//
// Every sealed buffer is nonce || ciphertext || tag (16). The nonce is 12 random bytes, fresh
// per call (drawn from RAND_bytes in bulk), never derived from an LSN, since a torn-tail cut
// makes LSNs be written twice.
//
// Thread safety: the keys never change after construction, and the cipher's cache of keyed
// contexts and drawn nonces is behind a mutex; seal/open may run on any thread.
class StoreCipher
{
public:
    static constexpr int kKeySize = 32;
    static constexpr int kNonceSize = 12;
    static constexpr int kTagSize = 16;
    static constexpr int kOverhead = kNonceSize + kTagSize;

    ~StoreCipher();
    StoreCipher(const StoreCipher&) = delete;
    StoreCipher& operator=(const StoreCipher&) = delete;

    // STORE/encryption.json; a store is encrypted exactly when this file exists.
    static QString keyFilePath(const QString& storePath);
    static bool isEncrypted(const QString& storePath);

    // Writes a new encryption.json for `storePath` (random salt) and returns the cipher.
    // Throws FrostlineError::badInput for an empty passphrase or when the file exists.
    static std::shared_ptr<const StoreCipher> create(const QString& storePath,
                                                     QByteArrayView passphrase);

    // Reads encryption.json and derives the keys; throws FrostlineError::wrongPassphrase
    // "wrong passphrase for encrypted store PATH" (kind BadInput) when the key check fails, and
    // FrostlineError::runtime when the file is unreadable or malformed. `noun` names what
    // storePath is in those messages: "backup" when a restore unlocks a backup.
    static std::shared_ptr<const StoreCipher> unlock(const QString& storePath,
                                                     QByteArrayView passphrase,
                                                     const QString& noun = QStringLiteral("store"));

    // Same keys from an explicit salt/KDF cost, for tests and benchmarks that must not pay the
    // full scrypt cost; `log2N` is scrypt's cost parameter.
    static std::shared_ptr<const StoreCipher> fromPassphrase(QByteArrayView passphrase,
                                                             QByteArrayView salt, int log2N);

    // Whether these keys open the key check of STORE/encryption.json: keys derived once (from a
    // backup's copy of that file, say) reused for a store with the same file, without a second
    // scrypt. Throws FrostlineError::runtime when the file is unreadable or malformed.
    bool opensKeyCheckOf(const QString& storePath) const;

    // Key derivations (scrypt) done by this process so far: each costs 0.1-0.3 s of an
    // operator's wait, so tests count them.
    static quint64 keyDerivations();

    QString cipherName() const; // "AES-256-GCM"

    // Seals `plain` into `out` (plain.size() + kOverhead bytes) bound to `aad`.
    void sealInto(char* out, QByteArrayView plain, QByteArrayView aad) const;
    QByteArray seal(QByteArrayView plain, QByteArrayView aad) const;
    // Opens a sealed buffer; false (and *plain untouched) when it does not authenticate: a wrong
    // key, a tampered byte, or a different `aad`.
    bool open(QByteArrayView sealed, QByteArrayView aad, QByteArray* plain) const;

    // The "password" handed to Berkeley DB's DbEnv::set_encrypt: hex of the Berkeley DB subkey.
    QByteArray berkeleyPassword() const;

private:
    StoreCipher();
    struct Keys;
    std::unique_ptr<Keys> m_keys;
};

} // namespace frostline

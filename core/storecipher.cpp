#include "storecipher.h"

#include "frostlineerror.h"
#include "privatefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace frostline {

namespace {

constexpr int kFileFormat = 1;
constexpr int kSaltSize = 16;
// scrypt N = 2^15, r = 8, p = 1: 32 MiB and roughly 0.1 s per open, the cost OpenSSL and
// libsodium's "interactive" profiles use. Stored in encryption.json, so it can grow later.
constexpr int kDefaultLog2N = 15;
constexpr int kMaxLog2N = 22;
constexpr quint64 kScryptR = 8, kScryptP = 1;
const char* const kCipherName = "AES-256-GCM";
const char* const kKdfName = "scrypt";
const char* const kSubkeyKdf = "HKDF-SHA256";
// The known token sealed as key-check value. Its AAD carries every parameter, so an edited
// encryption.json (a lower cost, another salt) fails the check like a wrong passphrase.
const QByteArray kKeyCheckToken = QByteArrayLiteral("frostline key check v1");

EVP_CIPHER* aesGcm()
{
    // Fetched once: the fetch looks the algorithm up in the provider, the per-call cost we skip.
    static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, kCipherName, nullptr);
    if (!cipher)
        throw FrostlineError::runtime(
            QStringLiteral("OpenSSL does not provide %1").arg(QLatin1String(kCipherName)));
    return cipher;
}

// Bumped in every child of fork(): nonces drawn in bulk before the fork are in both processes'
// memory, and the child must never seal with one the parent may use too (same key, same nonce
// breaks AES-GCM). Pending nonces from an older generation are thrown away.
std::atomic<quint64> g_forkGeneration{0};

std::atomic<quint64> g_keyDerivations{0}; // see StoreCipher::keyDerivations

quint64 forkGeneration()
{
    static std::once_flag registered;
    std::call_once(registered, [] {
        pthread_atfork(nullptr, nullptr,
                       [] { g_forkGeneration.fetch_add(1, std::memory_order_relaxed); });
    });
    return g_forkGeneration.load(std::memory_order_relaxed);
}

void hkdf(const unsigned char* master, const char* info, unsigned char* out)
{
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    EVP_KDF_CTX* ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
    EVP_KDF_free(kdf);
    if (!ctx)
        throw FrostlineError::runtime(QStringLiteral("OpenSSL does not provide HKDF"));
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", digest, 0),
        OSSL_PARAM_construct_octet_string("key", const_cast<unsigned char*>(master),
                                          StoreCipher::kKeySize),
        OSSL_PARAM_construct_octet_string("info", const_cast<char*>(info), std::strlen(info)),
        OSSL_PARAM_construct_end(),
    };
    const int ok = EVP_KDF_derive(ctx, out, StoreCipher::kKeySize, params);
    EVP_KDF_CTX_free(ctx);
    if (ok != 1)
        throw FrostlineError::runtime(QStringLiteral("HKDF key derivation failed"));
}

QByteArray keyCheckAad(const QJsonObject& kdf)
{
    return QByteArrayLiteral("frostline encryption.json v1|") + kCipherName + '|' +
           QJsonDocument(kdf).toJson(QJsonDocument::Compact);
}

} // namespace

// The keys, plus what makes sealing a record cheap (bench_encryption): contexts that have done
// AES's key expansion once, and nonces drawn from RAND_bytes a few hundred at a time (one
// RAND_bytes call cost more than the rest of a seal). Both are guarded by `mutex`, so a
// StoreCipher stays safe to share between threads; both die (cleansed) with the cipher, not with
// some thread.
struct StoreCipher::Keys
{
    unsigned char aead[kKeySize] = {};
    unsigned char berkeley[kKeySize] = {};

    static constexpr std::size_t kNoncesPerDraw = 256;
    std::mutex mutex;
    std::vector<EVP_CIPHER_CTX*> idleEncrypt, idleDecrypt;
    unsigned char nonces[kNoncesPerDraw * kNonceSize] = {};
    std::size_t nextNonce = kNoncesPerDraw; // none drawn yet
    quint64 noncesForkGeneration = 0;

    ~Keys()
    {
        for (auto* list : {&idleEncrypt, &idleDecrypt})
            for (EVP_CIPHER_CTX* ctx : *list)
                EVP_CIPHER_CTX_free(ctx); // cleanses the expanded key
        OPENSSL_cleanse(aead, sizeof aead);
        OPENSSL_cleanse(berkeley, sizeof berkeley);
    }

    // A fresh random nonce, never handed out twice (nor in a forked child and its parent).
    bool takeNonce(unsigned char* out)
    {
        const quint64 generation = forkGeneration();
        std::lock_guard lock(mutex);
        if (nextNonce == kNoncesPerDraw || noncesForkGeneration != generation) {
            if (RAND_bytes(nonces, int(sizeof nonces)) != 1)
                return false;
            nextNonce = 0;
            noncesForkGeneration = generation;
        }
        std::memcpy(out, nonces + nextNonce * kNonceSize, kNonceSize);
        ++nextNonce;
        return true;
    }

    // A context keyed with `aead` for encrypting or decrypting; give it back with release().
    EVP_CIPHER_CTX* acquire(bool encrypt)
    {
        {
            std::lock_guard lock(mutex);
            auto& idle = encrypt ? idleEncrypt : idleDecrypt;
            if (!idle.empty()) {
                EVP_CIPHER_CTX* ctx = idle.back();
                idle.pop_back();
                return ctx;
            }
        }
        EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
        const bool keyed =
            ctx && (encrypt ? EVP_EncryptInit_ex2(ctx, aesGcm(), aead, nullptr, nullptr)
                            : EVP_DecryptInit_ex2(ctx, aesGcm(), aead, nullptr, nullptr)) == 1;
        if (!keyed) {
            EVP_CIPHER_CTX_free(ctx);
            return nullptr;
        }
        return ctx;
    }

    void release(EVP_CIPHER_CTX* ctx, bool encrypt)
    {
        std::lock_guard lock(mutex);
        (encrypt ? idleEncrypt : idleDecrypt).push_back(ctx);
    }

    // One keyed context for the duration of a seal or open; back to the idle list after.
    class Lease
    {
    public:
        Lease(Keys& keys, bool encrypt)
            : m_keys(keys), m_encrypt(encrypt), m_ctx(keys.acquire(encrypt))
        {}
        ~Lease()
        {
            if (m_ctx)
                m_keys.release(m_ctx, m_encrypt);
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        EVP_CIPHER_CTX* get() const { return m_ctx; }

    private:
        Keys& m_keys;
        bool m_encrypt;
        EVP_CIPHER_CTX* m_ctx;
    };
};

StoreCipher::StoreCipher() : m_keys(std::make_unique<Keys>()) {}

StoreCipher::~StoreCipher() = default;

QString StoreCipher::keyFilePath(const QString& storePath)
{
    return QDir(storePath).filePath(QStringLiteral("encryption.json"));
}

bool StoreCipher::isEncrypted(const QString& storePath)
{
    return QFileInfo::exists(keyFilePath(storePath));
}

QString StoreCipher::cipherName() const
{
    return QString::fromLatin1(kCipherName);
}

std::shared_ptr<const StoreCipher> StoreCipher::fromPassphrase(QByteArrayView passphrase,
                                                               QByteArrayView salt, int log2N)
{
    if (passphrase.isEmpty())
        throw FrostlineError::badInput(QStringLiteral("the passphrase is empty"));
    if (log2N < 10 || log2N > kMaxLog2N)
        throw FrostlineError::badInput(
            QStringLiteral("scrypt cost 2^%1 is outside 2^10..2^%2").arg(log2N).arg(kMaxLog2N));
    g_keyDerivations.fetch_add(1);
    unsigned char master[kKeySize];
    const quint64 n = quint64(1) << log2N;
    const quint64 maxMem = 2 * 128 * kScryptR * n + (1u << 20);
    if (EVP_PBE_scrypt(passphrase.data(), std::size_t(passphrase.size()),
                       reinterpret_cast<const unsigned char*>(salt.data()),
                       std::size_t(salt.size()), n, kScryptR, kScryptP, maxMem, master,
                       kKeySize) != 1)
        throw FrostlineError::runtime(QStringLiteral("scrypt key derivation failed"));
    std::shared_ptr<StoreCipher> cipher(new StoreCipher());
    try {
        hkdf(master, "frostline aead: wal records and hot checkpoint", cipher->m_keys->aead);
        hkdf(master, "frostline berkeley db set_encrypt", cipher->m_keys->berkeley);
    } catch (...) {
        OPENSSL_cleanse(master, sizeof master);
        throw;
    }
    OPENSSL_cleanse(master, sizeof master);
    return cipher;
}

std::shared_ptr<const StoreCipher> StoreCipher::create(const QString& storePath,
                                                       QByteArrayView passphrase)
{
    if (passphrase.isEmpty())
        throw FrostlineError::badInput(
            QStringLiteral("an encrypted store needs a non-empty passphrase"));
    const QString path = keyFilePath(storePath);
    if (QFileInfo::exists(path))
        throw FrostlineError::badInput(QStringLiteral("%1 already exists").arg(path));
    unsigned char salt[kSaltSize];
    if (RAND_bytes(salt, kSaltSize) != 1)
        throw FrostlineError::runtime(QStringLiteral("no random bytes for the salt"));
    const QByteArray saltBytes(reinterpret_cast<const char*>(salt), kSaltSize);
    auto cipher = fromPassphrase(passphrase, saltBytes, kDefaultLog2N);
    const QJsonObject kdf{{QStringLiteral("name"), QLatin1String(kKdfName)},
                          {QStringLiteral("log2_n"), kDefaultLog2N},
                          {QStringLiteral("r"), int(kScryptR)},
                          {QStringLiteral("p"), int(kScryptP)},
                          {QStringLiteral("salt"), QString::fromLatin1(saltBytes.toBase64())},
                          {QStringLiteral("subkeys"), QLatin1String(kSubkeyKdf)}};
    const QByteArray check = cipher->seal(kKeyCheckToken, keyCheckAad(kdf));
    const QJsonObject root{{QStringLiteral("format"), kFileFormat},
                           {QStringLiteral("cipher"), QLatin1String(kCipherName)},
                           {QStringLiteral("kdf"), kdf},
                           {QStringLiteral("key_check"), QString::fromLatin1(check.toBase64())}};
    PrivateFile::write(path, QJsonDocument(root).toJson(QJsonDocument::Indented),
                       QStringLiteral("save the encryption parameters"));
    return cipher;
}

namespace {

// The public parameters in STORE/encryption.json, checked for shape (not yet against a key).
struct KeyFile
{
    QJsonObject kdf;
    QByteArray salt;
    QByteArray check; // the key-check token, sealed
    int log2N = 0;
};

KeyFile readKeyFile(const QString& storePath)
{
    const QString path = StoreCipher::keyFilePath(storePath);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw FrostlineError::runtime(
            QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(1 << 16), &parseError);
    const QJsonObject root = doc.object();
    const QJsonObject kdf = root.value(QStringLiteral("kdf")).toObject();
    auto malformed = [&](const QString& what) {
        return FrostlineError::runtime(QStringLiteral("%1 is malformed: %2").arg(path, what));
    };
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        throw malformed(parseError.errorString());
    if (root.value(QStringLiteral("format")).toInt() != kFileFormat)
        throw malformed(QStringLiteral("unsupported format %1")
                            .arg(root.value(QStringLiteral("format")).toVariant().toString()));
    if (root.value(QStringLiteral("cipher")).toString() != QLatin1String(kCipherName))
        throw malformed(QStringLiteral("unsupported cipher '%1'")
                            .arg(root.value(QStringLiteral("cipher")).toString()));
    if (kdf.value(QStringLiteral("name")).toString() != QLatin1String(kKdfName) ||
        kdf.value(QStringLiteral("r")).toInt() != int(kScryptR) ||
        kdf.value(QStringLiteral("p")).toInt() != int(kScryptP) ||
        kdf.value(QStringLiteral("subkeys")).toString() != QLatin1String(kSubkeyKdf))
        throw malformed(QStringLiteral("unsupported key derivation"));
    const QByteArray salt =
        QByteArray::fromBase64(kdf.value(QStringLiteral("salt")).toString().toLatin1());
    const QByteArray check =
        QByteArray::fromBase64(root.value(QStringLiteral("key_check")).toString().toLatin1());
    const int log2N = kdf.value(QStringLiteral("log2_n")).toInt();
    if (salt.size() != kSaltSize ||
        check.size() != kKeyCheckToken.size() + StoreCipher::kOverhead || log2N < 10 ||
        log2N > kMaxLog2N)
        throw malformed(QStringLiteral("bad salt, cost or key check"));
    return KeyFile{kdf, salt, check, log2N};
}

bool opensKeyCheck(const StoreCipher& cipher, const KeyFile& keyFile)
{
    QByteArray token;
    return cipher.open(keyFile.check, keyCheckAad(keyFile.kdf), &token) && token == kKeyCheckToken;
}

} // namespace

bool StoreCipher::opensKeyCheckOf(const QString& storePath) const
{
    return opensKeyCheck(*this, readKeyFile(storePath));
}

quint64 StoreCipher::keyDerivations()
{
    return g_keyDerivations.load();
}

std::shared_ptr<const StoreCipher>
StoreCipher::unlock(const QString& storePath, QByteArrayView passphrase, const QString& noun)
{
    const KeyFile keyFile = readKeyFile(storePath);
    if (passphrase.isEmpty())
        throw FrostlineError::badInput(
            QStringLiteral("%1 %2 is encrypted: give its passphrase").arg(noun, storePath));
    auto cipher = fromPassphrase(passphrase, keyFile.salt, keyFile.log2N);
    if (!opensKeyCheck(*cipher, keyFile))
        throw FrostlineError::wrongPassphrase(
            QStringLiteral("wrong passphrase for encrypted %1 %2").arg(noun, storePath));
    return cipher;
}

void StoreCipher::sealInto(char* out, QByteArrayView plain, QByteArrayView aad) const
{
    auto* nonce = reinterpret_cast<unsigned char*>(out);
    auto* body = nonce + kNonceSize;
    auto* tag = body + plain.size();
    Keys::Lease keyed(*m_keys, true);
    EVP_CIPHER_CTX* ctx = keyed.get();
    int n = 0;
    // The context keeps its expanded key; only the nonce is set per call.
    const bool ok =
        ctx && m_keys->takeNonce(nonce) &&
        EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce, nullptr) == 1 &&
        (aad.isEmpty() ||
         EVP_EncryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                           int(aad.size())) == 1) &&
        (plain.isEmpty() ||
         EVP_EncryptUpdate(ctx, body, &n, reinterpret_cast<const unsigned char*>(plain.data()),
                           int(plain.size())) == 1) &&
        EVP_EncryptFinal_ex(ctx, body + plain.size(), &n) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kTagSize, tag) == 1;
    if (!ok)
        throw FrostlineError::runtime(
            QStringLiteral("%1 encryption failed in OpenSSL").arg(QLatin1String(kCipherName)));
}

QByteArray StoreCipher::seal(QByteArrayView plain, QByteArrayView aad) const
{
    QByteArray out(plain.size() + kOverhead, Qt::Uninitialized);
    sealInto(out.data(), plain, aad);
    return out;
}

bool StoreCipher::open(QByteArrayView sealed, QByteArrayView aad, QByteArray* plain) const
{
    if (sealed.size() < kOverhead)
        return false;
    const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
    const auto* body = nonce + kNonceSize;
    const int length = int(sealed.size() - kOverhead);
    QByteArray out(length, Qt::Uninitialized);
    unsigned char tag[kTagSize];
    std::memcpy(tag, body + length, kTagSize);
    Keys::Lease keyed(*m_keys, false);
    EVP_CIPHER_CTX* ctx = keyed.get();
    int n = 0;
    const bool ok =
        ctx && EVP_DecryptInit_ex2(ctx, nullptr, nullptr, nonce, nullptr) == 1 &&
        (aad.isEmpty() ||
         EVP_DecryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                           int(aad.size())) == 1) &&
        (length == 0 || EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &n,
                                          body, length) == 1) &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kTagSize, tag) == 1 &&
        EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + length, &n) == 1;
    if (!ok)
        return false;
    *plain = std::move(out);
    return true;
}

QByteArray StoreCipher::berkeleyPassword() const
{
    return QByteArray(reinterpret_cast<const char*>(m_keys->berkeley), kKeySize).toHex();
}

} // namespace frostline

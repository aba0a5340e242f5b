// Encryption at rest (StoreCipher): no plaintext property value or label anywhere under STORE,
// the right passphrase brings every version back, a wrong or missing one is refused before any
// file changes, a tampered WAL record is an authentication error naming segment and offset, and
// the CLI, backup and restore work on encrypted stores.
#include "frostlineerror.h"
#include "store.h"
#include "storebackup.h"
#include "storecipher.h"
#include "testsupport.h"
#include "walformat.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <db_cxx.h>

#include <map>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace frostline;

namespace {

const QByteArray kPassphrase = QByteArrayLiteral("correct horse battery staple");
// Distinctive strings that can only come from the versions themselves.
const QString kValueMarker = QStringLiteral("PlainMarker-Value-7f3a9c");
const QString kLabelMarker = QStringLiteral("PlainMarkerLabelQzx");

Version markedVersion(quint64 id, quint64 entity, qint64 txFrom)
{
    Version v;
    v.versionId = id;
    v.entityId = entity;
    v.label = kLabelMarker;
    v.validFrom = txFrom;
    v.txFrom = txFrom;
    v.properties = {{QStringLiteral("n"), PropertyValue(qint64(id))},
                    {QStringLiteral("secret"), PropertyValue(kValueMarker + QString::number(id))}};
    return v;
}

// Files under `root` (recursively) holding a marker, as UTF-8 or as UTF-16.
QStringList filesWithPlaintext(const QString& root)
{
    const QList<QByteArray> needles = {
        kValueMarker.toUtf8(), kLabelMarker.toUtf8(),
        QByteArray(reinterpret_cast<const char*>(kValueMarker.utf16()), kValueMarker.size() * 2),
        QByteArray(reinterpret_cast<const char*>(kLabelMarker.utf16()), kLabelMarker.size() * 2)};
    QStringList found;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QByteArray bytes = test::readFile(file);
        for (const QByteArray& needle : needles)
            if (bytes.contains(needle)) {
                found << QDir(root).relativeFilePath(file);
                break;
            }
    }
    return found;
}

std::map<QString, QByteArray> snapshot(const QString& root)
{
    std::map<QString, QByteArray> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        files[QDir(root).relativeFilePath(file)] = test::readFile(file);
    }
    return files;
}

Store::Options options(const QByteArray& passphrase = {})
{
    Store::Options o;
    o.walSegmentBytes = 1024; // several segments, sealed and active
    o.passphrase = passphrase;
    return o;
}

// A store with hot (checkpointed and WAL-only) and cold versions, all carrying the markers.
// Returns every version appended.
std::vector<Version> populate(Store& store)
{
    std::vector<Version> all;
    std::vector<Version> batch;
    for (quint64 id = 1; id <= 60; ++id)
        batch.push_back(markedVersion(id, (id - 1) % 10 + 1, qint64(id) * 1000));
    all.insert(all.end(), batch.begin(), batch.end());
    store.append(batch);
    store.checkpoint();
    // The oldest version of each entity goes cold (never a head).
    std::vector<quint64> ids;
    for (quint64 id = 1; id <= 10; ++id)
        ids.push_back(id);
    const BatchCommitResult moved = store.migrateBatch(ids);
    if (moved.versions != 10)
        qFatal("migrateBatch moved %llu versions", static_cast<unsigned long long>(moved.versions));
    // Some only in the WAL (not checkpointed).
    batch.clear();
    for (quint64 id = 61; id <= 80; ++id)
        batch.push_back(markedVersion(id, (id - 1) % 10 + 1, qint64(id) * 1000));
    all.insert(all.end(), batch.begin(), batch.end());
    for (std::size_t i = 0; i < batch.size(); i += 5)
        store.append(std::vector<Version>(batch.begin() + std::ptrdiff_t(i),
                                          batch.begin() + std::ptrdiff_t(i + 5)));
    return all;
}

// Every record's value of a Berkeley DB file in an environment encrypted with `password`.
QList<QByteArray> rawValues(const QString& home, const QString& file, const QByteArray& password)
{
    // Opening with a wrong or missing key leaves Berkeley DB's key-check buffers behind.
    [[maybe_unused]] const test::IgnoreBerkeleyLeaks berkeleyKeyCheck;
    QList<QByteArray> values;
    DbEnv env(DB_CXX_NO_EXCEPTIONS);
    env.set_errcall([](const DbEnv*, const char*, const char*) {}); // a wrong key is expected
    if (!password.isEmpty())
        env.set_encrypt(password.constData(), DB_ENCRYPT_AES);
    if (env.open(QFile::encodeName(home).constData(),
                 DB_CREATE | DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN | DB_PRIVATE,
                 0600) != 0)
        return values;
    {
        Db db(&env, DB_CXX_NO_EXCEPTIONS);
        if (!password.isEmpty())
            db.set_flags(DB_ENCRYPT);
        if (db.open(nullptr, QFile::encodeName(file).constData(), nullptr, DB_BTREE, DB_RDONLY,
                    0) == 0) {
            Dbc* cursor = nullptr;
            db.cursor(nullptr, &cursor, 0);
            Dbt key, data;
            while (cursor && cursor->get(&key, &data, DB_NEXT) == 0)
                values << QByteArray(static_cast<const char*>(data.get_data()),
                                     qsizetype(data.get_size()));
            if (cursor)
                cursor->close();
        }
        db.close(0);
    }
    env.close(0);
    return values;
}

bool anyContains(const QList<QByteArray>& values, const QByteArray& needle)
{
    for (const QByteArray& v : values)
        if (v.contains(needle))
            return true;
    return false;
}

} // namespace

class TestEncryption : public QObject
{
    Q_OBJECT
private slots:
    void noPlaintextUnderStore_data()
    {
        QTest::addColumn<bool>("encrypted");
        QTest::newRow("encrypted") << true;
        QTest::newRow("unencrypted (control: the scan must find the markers)") << false;
    }

    void noPlaintextUnderStore()
    {
        QFETCH(bool, encrypted);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        if (encrypted)
            Store::create(path, kPassphrase);
        else
            Store::create(path);
        QCOMPARE(StoreCipher::isEncrypted(path), encrypted);
        std::vector<Version> all;
        {
            Store store(path, options(encrypted ? kPassphrase : QByteArray()));
            store.open();
            all = populate(store);
            QVERIFY(store.wal().segments().size() > 1);
            QVERIFY(store.statistics().coldNodeVersions == 10);
            // While open: WAL segments, Berkeley DB logs and files, and no region file holds the
            // cache's pages (DB_PRIVATE).
            const QStringList leaks = filesWithPlaintext(path);
            if (encrypted) {
                QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1String(", "))));
                QVERIFY(QDir(QDir(path).filePath(QStringLiteral("cold")))
                            .entryList({QStringLiteral("__db.*")})
                            .isEmpty());
            } else {
                QVERIFY2(leaks.filter(QStringLiteral("wal/")).size() > 0,
                         qPrintable(leaks.join(QLatin1String(", "))));
                QVERIFY2(leaks.filter(QStringLiteral("cold/")).size() > 0,
                         qPrintable(leaks.join(QLatin1String(", "))));
            }
            QCOMPARE(store.statistics().encrypted, encrypted);
        }
        // After close (final Berkeley DB checkpoint flushed every page).
        const QStringList leaks = filesWithPlaintext(path);
        QCOMPARE(leaks.isEmpty(), encrypted);

        // Reopen with the right passphrase: every version as appended, in its tier.
        Store store(path, options(encrypted ? kPassphrase : QByteArray()));
        const Store::OpenReport report = store.open();
        QCOMPARE(report.replayedRecords, quint64(20));
        QCOMPARE(report.checkpointVersions, quint64(50));
        for (const Version& v : all) {
            const auto found = store.find(v.versionId);
            QVERIFY2(found, qPrintable(QString::number(v.versionId)));
            QVERIFY(found->version == v);
            QCOMPARE(found->tier, v.versionId <= 10 ? Tier::Cold : Tier::Hot);
        }
        const QStringList problems = store.verify();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // The hot checkpoint is sealed with the store's AEAD on top of Berkeley DB's encryption:
    // read with Berkeley DB's key alone, its values still hold no plaintext, while the cold
    // versions (Berkeley DB encryption only) do, proving the read works.
    // Nonces are drawn from RAND_bytes in bulk; every seal must still get its own, including
    // seals from several threads at once and across more than one draw.
    void noncesAreNeverReused()
    {
        const auto cipher =
            StoreCipher::fromPassphrase("nonce test", QByteArrayLiteral("0123456789abcdef"), 10);
        constexpr int kThreads = 4, kPerThread = 3000;
        std::vector<std::vector<QByteArray>> sealed(kThreads);
        {
            std::vector<std::thread> threads;
            for (int t = 0; t < kThreads; ++t)
                threads.emplace_back([&, t] {
                    for (int i = 0; i < kPerThread; ++i)
                        sealed[t].push_back(cipher->seal("same plaintext", "same aad"));
                });
            for (auto& thread : threads)
                thread.join();
        }
        QSet<QByteArray> nonces;
        for (const auto& list : sealed)
            for (const QByteArray& s : list) {
                nonces.insert(s.left(StoreCipher::kNonceSize));
                QByteArray plain;
                QVERIFY(cipher->open(s, "same aad", &plain));
                QCOMPARE(plain, QByteArrayLiteral("same plaintext"));
            }
        QCOMPARE(nonces.size(), kThreads * kPerThread);
    }

    // A forked child holds a copy of the parent's nonces drawn in advance; it must not seal with
    // one of them, or the parent and the child would use one nonce under one key.
    void forkedChildDrawsItsOwnNonces()
    {
        const auto cipher =
            StoreCipher::fromPassphrase("fork test", QByteArrayLiteral("0123456789abcdef"), 10);
        (void)cipher->seal("x", {}); // draws a batch of nonces; most are still pending
        int pipeFds[2];
        QCOMPARE(::pipe(pipeFds), 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            const QByteArray s = cipher->seal("x", {});
            const ssize_t written = ::write(pipeFds[1], s.constData(), StoreCipher::kNonceSize);
            ::_exit(written == StoreCipher::kNonceSize ? 0 : 1);
        }
        ::close(pipeFds[1]);
        char childNonce[StoreCipher::kNonceSize];
        ssize_t got = 0;
        while (got < StoreCipher::kNonceSize) {
            const ssize_t n =
                ::read(pipeFds[0], childNonce + got, std::size_t(StoreCipher::kNonceSize - got));
            if (n <= 0)
                break;
            got += n;
        }
        ::close(pipeFds[0]);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        QCOMPARE(got, ssize_t(StoreCipher::kNonceSize));
        // The parent's next nonces (the rest of its batch) must not include the child's.
        const QByteArray childNonceBytes(childNonce, StoreCipher::kNonceSize);
        for (int i = 0; i < 300; ++i)
            QVERIFY(cipher->seal("x", {}).left(StoreCipher::kNonceSize) != childNonceBytes);
    }

    void checkpointValuesAreSealed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path, kPassphrase);
        QByteArray berkeleyPassword;
        {
            Store store(path, options(kPassphrase));
            store.open();
            populate(store);
            berkeleyPassword = store.cipher()->berkeleyPassword();
        }
        const QString cold = QDir(path).filePath(QStringLiteral("cold"));
        const QByteArray marker = kValueMarker.toUtf8();
        const QList<QByteArray> nodes =
            rawValues(cold, QStringLiteral("nodes.db"), berkeleyPassword);
        QCOMPARE(nodes.size(), 10);
        QVERIFY(anyContains(nodes, marker));
        const QList<QByteArray> checkpoint =
            rawValues(cold, QStringLiteral("checkpoint.db"), berkeleyPassword);
        QCOMPARE(checkpoint.size(), 50);
        QVERIFY(!anyContains(checkpoint, marker));
        QVERIFY(!anyContains(checkpoint, kLabelMarker.toUtf8()));
        // Without the key Berkeley DB reads nothing at all.
        QVERIFY(rawValues(cold, QStringLiteral("nodes.db"), "not the key").isEmpty());
    }

    void wrongPassphraseChangesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path, kPassphrase);
        {
            Store store(path, options(kPassphrase));
            store.open();
            populate(store); // a WAL tail to replay, a hot checkpoint, cold versions
        }
        const auto before = snapshot(path);
        QVERIFY(before.size() > 5);
        Store store(path, options("correct horse battery stapler"));
        try {
            store.open();
            QFAIL("opened with a wrong passphrase");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QCOMPARE(e.message(), QStringLiteral("wrong passphrase for encrypted store %1")
                                      .arg(QDir::cleanPath(path)));
        }
        QVERIFY(!store.isOpen());
        QVERIFY(before == snapshot(path));

        Store missing(path, options());
        try {
            missing.open();
            QFAIL("opened without a passphrase");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QVERIFY2(e.message().contains(QLatin1String("is encrypted")), qPrintable(e.message()));
            QVERIFY(e.message().contains(QDir::cleanPath(path)));
        }
        QVERIFY(before == snapshot(path));

        // The right one still works afterwards.
        Store right(path, options(kPassphrase));
        right.open();
        QCOMPARE(right.statistics().hotVersions, quint64(70));
    }

    // encryption.json holds public parameters only; changing one (here the scrypt cost, to make
    // guessing cheaper) fails the key check like a wrong passphrase.
    void editedKeyFileIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path, kPassphrase);
        const QString keyFile = StoreCipher::keyFilePath(path);
        QCOMPARE(QFileInfo(keyFile).permissions() & (QFile::ReadGroup | QFile::ReadOther),
                 QFile::Permissions());
        const QByteArray original = test::readFile(keyFile);
        QVERIFY(!original.contains(kPassphrase));
        QJsonObject root = QJsonDocument::fromJson(original).object();
        QJsonObject kdf = root.value(QStringLiteral("kdf")).toObject();
        kdf[QStringLiteral("log2_n")] = kdf.value(QStringLiteral("log2_n")).toInt() - 1;
        root[QStringLiteral("kdf")] = kdf;
        test::writeFile(keyFile, QJsonDocument(root).toJson());
        QVERIFY_THROWS_EXCEPTION(FrostlineError, StoreCipher::unlock(path, kPassphrase));
        test::writeFile(keyFile, original);
        QVERIFY(StoreCipher::unlock(path, kPassphrase) != nullptr);
    }

    // An encrypted store whose encryption.json was moved away looks plain; its encrypted log
    // then fails to open, and the message says the key file is the likely cause, not only "run
    // database recovery". Nothing changes: with the file back it opens.
    void aMissingKeyFileIsNamed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path, kPassphrase);
        const QString keyFile = StoreCipher::keyFilePath(path);
        const QString away = dir.filePath(QStringLiteral("encryption.json.away"));
        QVERIFY(QFile::rename(keyFile, away));
        Store plain(path);
        try {
            plain.open();
            QFAIL("an encrypted store without its key file opened as plain");
        } catch (const FrostlineError& e) {
            QVERIFY2(e.message().contains(QStringLiteral("if this store was made with --encrypt, "
                                                         "its %1 is missing")
                                              .arg(keyFile)),
                     qPrintable(e.message()));
        }
        QVERIFY(QFile::rename(away, keyFile));
        Store::Options options;
        options.passphrase = kPassphrase;
        Store store(path, options);
        store.open();
        QVERIFY(store.isEncrypted());
    }

    // A WAL record whose sealed payload was changed and whose (unkeyed) checksum was recomputed,
    // as a deliberate tamperer would: authentication fails, naming segment and offset.
    void tamperedWalRecordIsAnAuthenticationError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        Store::create(path, kPassphrase);
        QString segment;
        {
            Store store(path, options(kPassphrase));
            store.open();
            std::vector<Version> versions;
            for (quint64 id = 1; id <= 3; ++id)
                versions.push_back(markedVersion(id, id, qint64(id) * 1000));
            store.append(versions);
            segment = store.wal().segments().back().path;
        }
        QByteArray bytes = test::readFile(segment);
        using namespace walformat;
        const qint64 first = kHeaderSize;
        const quint32 length1 = getU32(bytes.constData() + first);
        const qint64 second = first + kRecordOverhead + length1; // LSN 2
        const quint32 length2 = getU32(bytes.constData() + second);
        QCOMPARE(getU64(bytes.constData() + second + 8), quint64(2));
        // A byte in the middle of the ciphertext; then the record checksum made sound again.
        bytes[second + kRecordHeaderSize + StoreCipher::kNonceSize + 5] ^= 0x01;
        putU64(bytes.data() + second + kRecordHeaderSize + length2,
               hash(bytes.constData() + second, kRecordHeaderSize + length2));
        test::writeFile(segment, bytes);

        Store store(path, options(kPassphrase));
        try {
            store.open();
            QFAIL("a tampered record was accepted");
        } catch (const FrostlineError& e) {
            const QString m = e.message();
            QVERIFY2(m.contains(QFileInfo(segment).fileName()), qPrintable(m));
            QVERIFY2(m.contains(QStringLiteral("byte offset %1").arg(second)), qPrintable(m));
            QVERIFY2(m.contains(QLatin1String("does not authenticate")), qPrintable(m));
        }
    }

    // A record moved to another LSN (header rewritten with sound checksums) does not
    // authenticate: the header is the associated data.
    void recordBoundToItsLsn()
    {
        const auto cipher = StoreCipher::fromPassphrase(kPassphrase, "0123456789abcdef", 10);
        char header[walformat::kRecordHeaderSize];
        walformat::encodeRecordHeader(header, 7, 1, 40);
        const QByteArray sealed =
            cipher->seal("payload", QByteArrayView(header, walformat::kRecordAadSize));
        QByteArray plain;
        QVERIFY(cipher->open(sealed, QByteArrayView(header, walformat::kRecordAadSize), &plain));
        QCOMPARE(plain, QByteArray("payload"));
        walformat::encodeRecordHeader(header, 8, 1, 40);
        QVERIFY(!cipher->open(sealed, QByteArrayView(header, walformat::kRecordAadSize), &plain));
        // A fresh nonce per seal: the same plaintext never seals to the same bytes.
        QVERIFY(cipher->seal("payload", "x") != cipher->seal("payload", "x"));
        // Another passphrase (same salt) does not open it.
        const auto other = StoreCipher::fromPassphrase("another", "0123456789abcdef", 10);
        walformat::encodeRecordHeader(header, 7, 1, 40);
        QVERIFY(!other->open(sealed, QByteArrayView(header, walformat::kRecordAadSize), &plain));
    }

    void backupAndRestore()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        const QString backup = dir.filePath(QStringLiteral("b"));
        Store::create(path, kPassphrase);
        std::vector<Version> all;
        {
            Store store(path, options(kPassphrase));
            store.open();
            all = populate(store);
            StoreBackup::backup(store, backup);
        }
        QVERIFY(StoreCipher::isEncrypted(backup));
        QVERIFY2(filesWithPlaintext(backup).isEmpty(),
                 qPrintable(filesWithPlaintext(backup).join(QLatin1String(", "))));
        QVERIFY_THROWS_EXCEPTION(FrostlineError,
                                 StoreBackup::restore(backup, dir.filePath(QStringLiteral("r0"))));
        try {
            StoreBackup::restore(backup, dir.filePath(QStringLiteral("r1")), "wrong");
            QFAIL("restored with a wrong passphrase");
        } catch (const FrostlineError& e) {
            // The cause the GUI acts on (it asks again), not just any bad input.
            QCOMPARE(e.cause(), FrostlineError::Cause::WrongPassphrase);
            // Named as what it is: the operator gave a backup, not a store.
            QCOMPARE(e.message(),
                     QStringLiteral("wrong passphrase for encrypted backup %1").arg(backup));
        }
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("r1"))));
        const QString restored = dir.filePath(QStringLiteral("r"));
        // One key derivation for the whole restore: the check before copying and the open that
        // proves the copy share the keys.
        const quint64 derivationsBefore = StoreCipher::keyDerivations();
        StoreBackup::restore(backup, restored, kPassphrase);
        QCOMPARE(StoreCipher::keyDerivations() - derivationsBefore, quint64(1));
        QVERIFY(filesWithPlaintext(restored).isEmpty());
        Store store(restored, options(kPassphrase));
        store.open();
        for (const Version& v : all) {
            const auto found = store.find(v.versionId);
            QVERIFY2(found && found->version == v, qPrintable(QString::number(v.versionId)));
        }
        QVERIFY(store.verify().isEmpty());
        store.close();

        // Keys that are not this store's are refused by its key check before anything opens.
        Store::Options foreign;
        foreign.cipher =
            StoreCipher::fromPassphrase(kPassphrase, QByteArrayLiteral("another salt 123"), 10);
        Store other(restored, foreign);
        try {
            other.open();
            QFAIL("opened with another store's keys");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.cause(), FrostlineError::Cause::WrongPassphrase);
            QVERIFY2(e.message().contains(QStringLiteral("do not open")), qPrintable(e.message()));
        }
        QVERIFY(!other.isOpen());
    }

    void cliRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s"));
        const QString passFile = dir.filePath(QStringLiteral("pass.txt"));
        test::writeFile(passFile, kPassphrase + "\n");
        const QString input = dir.filePath(QStringLiteral("in.jsonl"));
        test::writeFile(input, "{\"kind\":\"node\",\"version_id\":1,\"entity_id\":5,\"label\":\"" +
                                   kLabelMarker.toUtf8() +
                                   "\",\"valid_from\":1000,\"valid_to\":null,\"tx_from\":1000,"
                                   "\"tx_to\":null,\"properties\":{\"s\":\"" +
                                   kValueMarker.toUtf8() + "\"}}\n");
        qunsetenv(PassphraseVariable);

        auto r = test::runCli({QStringLiteral("init"), path, QStringLiteral("--encrypt"),
                               QStringLiteral("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(StoreCipher::isEncrypted(path));

        r = test::runCli(
            {QStringLiteral("import"), path, input, QStringLiteral("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());

        // No passphrase and no terminal: a clear error, exit 2.
        r = test::runCli({QStringLiteral("export"), path});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("is encrypted") && r.err.contains("--passphrase-file") &&
                     r.err.contains(PassphraseVariable),
                 r.err.constData());
        QVERIFY(r.out.isEmpty());

        qputenv(PassphraseVariable, "not it");
        r = test::runCli({QStringLiteral("export"), path});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("wrong passphrase for encrypted store"), r.err.constData());

        qputenv(PassphraseVariable, kPassphrase);
        r = test::runCli({QStringLiteral("export"), path});
        qunsetenv(PassphraseVariable);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains(kValueMarker.toUtf8()));
        QVERIFY(r.out.contains(kLabelMarker.toUtf8()));

        r = test::runCli({QStringLiteral("stats"), path, QStringLiteral("--json"),
                          QStringLiteral("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject stats = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(stats.value(QStringLiteral("encrypted")).toBool(), true);
        QCOMPARE(stats.value(QStringLiteral("hot_versions")).toInt(), 1);

        const QString backup = dir.filePath(QStringLiteral("b"));
        const QString restored = dir.filePath(QStringLiteral("r"));
        r = test::runCli({QStringLiteral("backup"), path, backup,
                          QStringLiteral("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // A restore without the passphrase names the backup as a backup, and creates nothing.
        r = test::runCli({QStringLiteral("restore"), backup, restored});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("backup %1 is encrypted and no passphrase was given")
                                    .arg(backup)
                                    .toUtf8()),
                 r.err.constData());
        QVERIFY(!QFileInfo::exists(restored));
        r = test::runCli({QStringLiteral("restore"), backup, restored,
                          QStringLiteral("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = test::runCli(
            {QStringLiteral("verify"), restored, QStringLiteral("--passphrase-file"), passFile});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        for (const QString& root : {path, backup, restored})
            QVERIFY2(filesWithPlaintext(root).isEmpty(), qPrintable(root));

        // The passphrase file is only for encrypted stores.
        const QString plain = dir.filePath(QStringLiteral("plain"));
        QCOMPARE(test::runCli({QStringLiteral("init"), plain}).exitCode, 0);
        r = test::runCli(
            {QStringLiteral("stats"), plain, QStringLiteral("--passphrase-file"), passFile});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("not an encrypted store"), r.err.constData());
        r = test::runCli({QStringLiteral("stats"), plain, QStringLiteral("--json")});
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("encrypted")),
                 QJsonValue(false));
    }

private:
    static constexpr const char* PassphraseVariable = "FROSTLINE_PASSPHRASE";
};

QTEST_GUILESS_MAIN(TestEncryption)
#include "tst_encryption.moc"

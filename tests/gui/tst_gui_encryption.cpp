#include "dashboardpage.h"
#include "errorbanner.h"
#include "frostlineerror.h"
#include "guitestsupport.h"
#include "mainwindow.h"
#include "newstoredialog.h"
#include "passphrasedialog.h"
#include "store.h"
#include "storebackup.h"
#include "storecipher.h"
#include "testsupport.h"
#include "workloadgenerator.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <deque>

using namespace frostline;

namespace {

const QByteArray kPassphrase = QByteArrayLiteral("correct horse battery staple");
const QByteArray kWrong = QByteArrayLiteral("incorrect horse");

// A closed encrypted store at `path` holding a generated workload; returns its version count.
quint64 makeEncryptedStore(const QString& path, quint64 versions, quint64 entities = 100)
{
    return test::makeGeneratedStore(path, versions, entities, 30, 5, kPassphrase);
}

void makePlainStore(const QString& path)
{
    Store::create(path);
    Store store(path);
    store.open();
    WorkloadGenerator::Options o;
    o.entities = 20;
    o.versions = 200;
    o.seed = 3;
    store.append(WorkloadGenerator(o).generateAll());
    store.close();
}

// Answers the window's passphrase questions from a queue (std::nullopt = Cancel) and records
// every question with what the error banner said at that moment.
struct PassphraseAnswers
{
    struct Ask
    {
        QString storePath;
        QString problem;
        QString banner;
    };
    std::deque<std::optional<QByteArray>> answers;
    std::vector<Ask> asks;
};

std::shared_ptr<PassphraseAnswers> answerPassphrases(MainWindow& window,
                                                     std::deque<std::optional<QByteArray>> answers)
{
    auto state = std::make_shared<PassphraseAnswers>();
    state->answers = std::move(answers);
    window.setPassphraseProvider([state, &window](const QString& path, const QString& problem) {
        state->asks.push_back({path, problem, window.errorBanner()->text()});
        if (state->answers.empty()) {
            qWarning("unexpected passphrase question for %s", qPrintable(path));
            return std::optional<QByteArray>();
        }
        const bool cancel = !state->answers.front().has_value();
        const QByteArray answer = state->answers.front().value_or(QByteArray());
        state->answers.pop_front();
        return cancel ? std::optional<QByteArray>() : std::optional<QByteArray>(answer);
    });
    return state;
}

// Every value in the application's settings, flattened, to prove no passphrase lands there.
QString allSettings()
{
    QSettings settings;
    QStringList out;
    for (const QString& key : settings.allKeys())
        out << key + QLatin1Char('=') + settings.value(key).toString() +
                   QString::fromLatin1(settings.value(key).toByteArray());
    return out.join(QLatin1Char('\n'));
}

// Whether any file under `dir` contains `needle` (the passphrase must never be written).
bool anyFileContains(const QString& dir, const QByteArray& needle)
{
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        if (test::readFile(it.next()).contains(needle))
            return true;
    return false;
}

} // namespace

class TestGuiEncryption : public QObject
{
    Q_OBJECT
    QTemporaryDir m_settingsDir;

private slots:
    void initTestCase()
    {
        test::useThrowAwaySettings(m_settingsDir, QStringLiteral("tst_gui_encryption"));
    }

    void newStoreDialogCreatesAnEncryptedStore()
    {
        QTemporaryDir dir;
        const QString path = QDir::cleanPath(dir.filePath(QStringLiteral("secret")));
        MainWindow window;
        window.show();
        auto answers = answerPassphrases(window, {});
        StoreController* c = window.controller();

        NewStoreDialog dialog(c, &window);
        dialog.setPath(path);
        dialog.setWorkload(100, 1500, 10, 7);
        // Validation first: nothing is created for a mismatch or an empty passphrase.
        QSignalSpy started(c, &StoreController::operationStarted);
        dialog.setEncryption(true, QStringLiteral("one"), QStringLiteral("two"));
        dialog.create();
        QVERIFY2(dialog.statusText().contains(QStringLiteral("do not match")),
                 qPrintable(dialog.statusText()));
        dialog.setEncryption(true, QString(), QString());
        dialog.create();
        QVERIFY2(dialog.statusText().contains(QStringLiteral("Enter a passphrase")),
                 qPrintable(dialog.statusText()));
        QCOMPARE(started.count(), 0);
        QVERIFY(!QFileInfo::exists(path));
        auto* field = dialog.findChild<QLineEdit*>(QStringLiteral("passphrase"));
        QVERIFY(field);
        QCOMPARE(field->echoMode(), QLineEdit::Password);

        QSignalSpy opened(c, &StoreController::storeOpened);
        dialog.setEncryption(true, QString::fromUtf8(kPassphrase), QString::fromUtf8(kPassphrase));
        dialog.create();
        QVERIFY(field->text().isEmpty()); // handed over, not kept in the dialog
        QVERIFY(opened.wait(60000));
        QCOMPARE(opened.first().at(0).toString(), path);
        QVERIFY(answers->asks.empty()); // the new store opened with the passphrase just typed
        QVERIFY(StoreCipher::isEncrypted(path));
        QVERIFY(c->store()->isEncrypted());
        QCOMPARE(c->hotVersions(), quint64(1500));
        QVERIFY(test::waitUntil([&] {
            return window.dashboardPage()->figuresText().contains(
                QStringLiteral("encrypted (AES-256-GCM)"));
        }));
        QVERIFY(window.errorBanner()->text().isEmpty());
        c->closeStore();
        c->waitForWorkers();

        // Really encrypted: the engine refuses it without the passphrase.
        Store bare(path);
        try {
            bare.open();
            QFAIL("an encrypted store opened without its passphrase");
        } catch (const FrostlineError& e) {
            QCOMPARE(e.kind(), FrostlineError::Kind::BadInput);
            QVERIFY(e.message().contains(QStringLiteral("passphrase is needed")));
        }
        QVERIFY(!anyFileContains(path, kPassphrase));
        QVERIFY(!allSettings().contains(QString::fromUtf8(kPassphrase)));
        QVERIFY(window.recentStores().contains(path));
    }

    void wrongPassphraseIsAskedAgain()
    {
        QTemporaryDir dir;
        const QString path = QDir::cleanPath(dir.filePath(QStringLiteral("secret")));
        const quint64 versions = makeEncryptedStore(path, 2500);
        MainWindow window;
        window.show();
        StoreController* c = window.controller();
        auto answers = answerPassphrases(window, {kWrong, kPassphrase});
        QSignalSpy opened(c, &StoreController::storeOpened);
        QSignalSpy stats(c, &StoreController::statisticsUpdated);
        window.openStorePath(path);
        QVERIFY(opened.wait(60000));

        QCOMPARE(answers->asks.size(), std::size_t(2));
        QCOMPARE(answers->asks[0].storePath, path);
        QVERIFY(answers->asks[0].problem.isEmpty());
        QVERIFY(answers->asks[0].banner.isEmpty());
        // The second question says why, and the banner shows the refusal meanwhile.
        QVERIFY2(answers->asks[1].problem.contains(QStringLiteral("wrong passphrase")),
                 qPrintable(answers->asks[1].problem));
        QVERIFY2(answers->asks[1].banner.contains(QStringLiteral("Open store failed")) &&
                     answers->asks[1].banner.contains(QStringLiteral("wrong passphrase")),
                 qPrintable(answers->asks[1].banner));
        QVERIFY(window.errorBanner()->text().isEmpty()); // cleared by the successful open

        QCOMPARE(c->storePath(), path);
        QVERIFY(stats.count() > 0 || stats.wait(30000));
        QCOMPARE(test::totalVersions(stats.last().at(0).value<StoreStatistics>()), versions);
        QVERIFY(stats.last().at(0).value<StoreStatistics>().encrypted);
        QVERIFY(c->store()->find(1));
        QVERIFY(test::waitUntil([&] {
            return window.dashboardPage()->figuresText().contains(
                QStringLiteral("encrypted (AES-256-GCM)"));
        }));
        QVERIFY(!allSettings().contains(QString::fromUtf8(kPassphrase)));
        QVERIFY(!allSettings().contains(QString::fromUtf8(kWrong)));
    }

    void cancellingLeavesNoStoreOpen()
    {
        QTemporaryDir dir;
        const QString path = QDir::cleanPath(dir.filePath(QStringLiteral("secret")));
        const QString plain = QDir::cleanPath(dir.filePath(QStringLiteral("plain")));
        makeEncryptedStore(path, 300, 30);
        makePlainStore(plain);
        MainWindow window;
        window.show();
        StoreController* c = window.controller();
        QSignalSpy opened(c, &StoreController::storeOpened);
        QSignalSpy failed(c, &StoreController::operationFailed);

        // Cancel at the first question: nothing opens, no error, a status message.
        auto answers = answerPassphrases(window, {std::nullopt});
        window.openStorePath(path);
        c->waitForWorkers();
        QCoreApplication::sendPostedEvents();
        QCOMPARE(answers->asks.size(), std::size_t(1));
        QVERIFY(!c->isOpen());
        QCOMPARE(opened.count(), 0);
        QCOMPARE(failed.count(), 0);
        QVERIFY(window.errorBanner()->text().isEmpty());
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("cancelled")),
                 qPrintable(window.statusBar()->currentMessage()));

        // Cancel after a wrong passphrase: asked twice, still nothing open.
        answers = answerPassphrases(window, {kWrong, std::nullopt});
        window.openStorePath(path);
        QVERIFY(test::waitUntil([&] { return answers->asks.size() == 2; }));
        c->waitForWorkers();
        QCoreApplication::sendPostedEvents();
        QVERIFY(!c->isOpen());
        QCOMPARE(opened.count(), 0);
        QCOMPARE(failed.count(), 1);

        // A plain store open: it asks nothing, and cancelling the encrypted one keeps it open.
        answers = answerPassphrases(window, {std::nullopt});
        window.openStorePath(plain);
        QVERIFY(opened.wait(30000));
        QVERIFY(answers->asks.empty());
        QVERIFY(test::waitUntil([&] {
            return window.dashboardPage()->figuresText().contains(QStringLiteral("not encrypted"));
        }));
        window.openStorePath(path);
        c->waitForWorkers();
        QCoreApplication::sendPostedEvents();
        QCOMPARE(answers->asks.size(), std::size_t(1));
        QVERIFY(c->isOpen());
        QCOMPARE(c->storePath(), plain);

        // A wrong passphrase is refused while the plain store stays open (the open used to
        // close it first, and its service with it): asked again, then cancelled, it is still
        // open; the right one then opens the encrypted store.
        QSignalSpy closed(c, &StoreController::storeClosed);
        failed.clear();
        // A verify of the open store asked just before: its result (queued, so delivered after
        // the unlock began) is still about the open store, not one "closed since".
        QSignalSpy verified(c, &StoreController::verifyFinished);
        QSignalSpy finished(c, &StoreController::operationFinished);
        c->requestVerify();
        answers = answerPassphrases(window, {kWrong, std::nullopt});
        window.openStorePath(path);
        QVERIFY(test::waitUntil([&] { return answers->asks.size() == 2; }));
        c->waitForWorkers();
        QCoreApplication::sendPostedEvents();
        QVERIFY(test::waitUntil([&] { return verified.count() == 1; }));
        const auto verifyEnding = std::find_if(finished.begin(), finished.end(), [](const auto& f) {
            return f.at(0).toString() == StoreController::tr("Verify");
        });
        QVERIFY(verifyEnding != finished.end());
        QCOMPARE(verifyEnding->at(2).template value<StoreController::Ending>(),
                 StoreController::Ending::Completed);
        QCOMPARE(closed.count(), 0);
        QVERIFY(c->isOpen());
        QCOMPARE(c->storePath(), plain);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("wrong passphrase")) &&
                     failed.first().at(1).toString().endsWith(
                         QStringLiteral(" %1 is still open.").arg(plain)),
                 qPrintable(failed.first().at(1).toString()));
        answers = answerPassphrases(window, {kWrong, kPassphrase});
        opened.clear();
        window.openStorePath(path);
        QVERIFY(opened.wait(60000));
        QCOMPARE(answers->asks.size(), std::size_t(2));
        QCOMPARE(closed.count(), 1);
        QCOMPARE(c->storePath(), path);
        QVERIFY(c->store()->find(1));
    }

    void backupAndRestoreOfAnEncryptedStore()
    {
        QTemporaryDir dir;
        const QString path = QDir::cleanPath(dir.filePath(QStringLiteral("secret")));
        const QString backup = QDir::cleanPath(dir.filePath(QStringLiteral("backup")));
        const QString restored = QDir::cleanPath(dir.filePath(QStringLiteral("restored")));
        const QString kept = QDir::cleanPath(dir.filePath(QStringLiteral("kept")));
        const QString plain = QDir::cleanPath(dir.filePath(QStringLiteral("plain")));
        const quint64 versions = makeEncryptedStore(path, 2000);
        makePlainStore(plain);
        MainWindow window;
        window.show();
        StoreController* c = window.controller();
        QSignalSpy opened(c, &StoreController::storeOpened);
        auto answers = answerPassphrases(window, {kPassphrase});
        window.openStorePath(path);
        QVERIFY(opened.wait(60000));

        // Backing up an open encrypted store asks nothing; the copy is encrypted too.
        QSignalSpy backedUp(c, &StoreController::backupFinished);
        test::answerDirectories(window, {backup});
        window.backupAction()->trigger();
        QVERIFY(backedUp.wait(120000));
        QCOMPARE(answers->asks.size(), std::size_t(1));
        QVERIFY(StoreCipher::isEncrypted(backup));
        c->closeStore();

        // Restore with nothing open: a wrong passphrase is refused before anything is copied and
        // asked again; the restored copy then opens without a third question.
        answers = answerPassphrases(window, {kWrong, kPassphrase});
        QSignalSpy restoredSpy(c, &StoreController::restoreFinished);
        opened.clear();
        test::answerDirectories(window, {backup, restored});
        const quint64 derivationsBefore = StoreCipher::keyDerivations();
        window.restoreAction()->trigger();
        QVERIFY(restoredSpy.wait(120000));
        QCOMPARE(restoredSpy.count(), 1);
        QVERIFY(opened.wait(60000));
        // One scrypt (0.1-0.3 s each) per passphrase tried in the restore: the wrong one, then
        // the right one, whose keys both check the backup and prove the copy opens; then one
        // for opening the copy in the window.
        QCOMPARE(StoreCipher::keyDerivations() - derivationsBefore, quint64(3));
        QCOMPARE(answers->asks.size(), std::size_t(2));
        QCOMPARE(answers->asks[0].storePath, backup);
        QVERIFY(answers->asks[0].problem.isEmpty());
        QVERIFY2(answers->asks[1].problem.contains(QStringLiteral("wrong passphrase")),
                 qPrintable(answers->asks[1].problem));
        QVERIFY2(answers->asks[1].banner.contains(QStringLiteral("Restore store failed")),
                 qPrintable(answers->asks[1].banner));
        QCOMPARE(opened.first().at(0).toString(), restored);
        QCOMPARE(c->hotVersions(), versions);
        QVERIFY(c->store()->isEncrypted());
        QVERIFY(test::waitUntil([&] {
            return window.dashboardPage()->figuresText().contains(
                QStringLiteral("encrypted (AES-256-GCM)"));
        }));

        // Restore while another store is open, and keep that one: the passphrase is not kept for
        // later; opening the copy afterwards asks for it again.
        window.openStorePath(plain);
        QVERIFY(test::waitUntil([&] { return c->storePath() == plain; }));
        answers = answerPassphrases(window, {kPassphrase});
        restoredSpy.clear();
        test::answerDirectories(window, {backup, kept});
        window.restoreAction()->trigger();
        QVERIFY(restoredSpy.wait(120000));
        QMessageBox* ask = nullptr;
        QVERIFY(test::waitUntil([&] {
            ask = window.findChild<QMessageBox*>(QStringLiteral("openRestoredPrompt"));
            return ask && ask->isVisible();
        }));
        ask->button(QMessageBox::Cancel)->click();
        QCOMPARE(c->storePath(), plain);
        QCOMPARE(answers->asks.size(), std::size_t(1));
        answers = answerPassphrases(window, {kPassphrase});
        opened.clear();
        window.openStorePath(kept);
        QVERIFY(opened.wait(60000));
        QCOMPARE(answers->asks.size(), std::size_t(1));
        QCOMPARE(answers->asks[0].storePath, kept);
        QCOMPARE(c->hotVersions(), versions);

        QVERIFY(!anyFileContains(backup, kPassphrase));
        QVERIFY(!anyFileContains(restored, kPassphrase));
        QVERIFY(!allSettings().contains(QString::fromUtf8(kPassphrase)));
    }

    void theDefaultDialogAsksWithEchoOff()
    {
        QTemporaryDir dir;
        const QString path = QDir::cleanPath(dir.filePath(QStringLiteral("secret")));
        const quint64 versions = makeEncryptedStore(path, 400, 40);
        MainWindow window; // its own provider: the modal PassphraseDialog
        window.show();
        StoreController* c = window.controller();
        // The dialog runs its own event loop; answer it from a timer: first a wrong passphrase,
        // then (asked again, saying why) the right one.
        QStringList seen;
        QList<QByteArray> typed{kWrong, kPassphrase};
        QTimer answer;
        answer.setInterval(20);
        connect(&answer, &QTimer::timeout, this, [&] {
            auto* dialog = qobject_cast<PassphraseDialog*>(QApplication::activeModalWidget());
            if (!dialog || !dialog->isVisible() || typed.isEmpty())
                return;
            auto* field = dialog->findChild<QLineEdit*>(QStringLiteral("passphrase"));
            QVERIFY(field);
            QCOMPARE(field->echoMode(), QLineEdit::Password);
            QVERIFY(field->text().isEmpty()); // nothing remembered from the last ask
            QStringList labels;
            for (QLabel* l : dialog->findChildren<QLabel*>())
                if (l->isVisibleTo(dialog))
                    labels << l->text();
            seen << labels.join(QLatin1Char(' '));
            field->setText(QString::fromUtf8(typed.takeFirst()));
            dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
        });
        answer.start();
        QSignalSpy opened(c, &StoreController::storeOpened);
        window.openStorePath(path);
        QVERIFY(opened.wait(60000));
        answer.stop();
        QCOMPARE(seen.size(), 2);
        QVERIFY(seen[0].contains(path));
        QVERIFY(!seen[0].contains(QStringLiteral("wrong passphrase")));
        QVERIFY2(seen[1].contains(QStringLiteral("wrong passphrase")), qPrintable(seen[1]));
        QCOMPARE(c->hotVersions(), versions);
    }
};

QTEST_MAIN(TestGuiEncryption)
#include "tst_gui_encryption.moc"

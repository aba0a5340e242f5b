#include "storecontroller.h"

#include "displayformat.h"
#include "frostlineerror.h"
#include "jsonlcodec.h"
#include "migrationrun.h"
#include "storecipher.h"
#include "versioncodec.h"
#include "workloadgenerator.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMetaObject>
#include <QPointer>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace frostline {

namespace {

QString describe(const std::exception& e)
{
    if (const auto* fe = dynamic_cast<const FrostlineError*>(&e))
        return fe->message();
    return QString::fromLocal8Bit(e.what());
}

QString copySummary(const QString& verb, const QString& dest, const StoreBackup::Report& r)
{
    QString summary = QObject::tr("%1 %2: %3 in %4; flushed LSN %5, last LSN %6, %7 WAL segment(s)")
                          .arg(verb, dest, DisplayFormat::bytes(quint64(r.bytes)),
                               DisplayFormat::elapsed(r.elapsedMs))
                          .arg(r.flushedLsn)
                          .arg(r.lastLsn)
                          .arg(r.walSegments);
    if (!r.tornTailNote.isEmpty())
        summary += QStringLiteral("; ") + r.tornTailNote;
    if (!r.policyNote.isEmpty())
        summary += QStringLiteral("; ") + r.policyNote;
    return summary;
}

// A backup or restore stopped by Cancel: OPERATION ("Backup", "Restore") cancelled, what became
// of its copy in DEST (removed, or a file would not go and the copy is left to delete), and that
// SOURCE was not changed. Looked at on the worker, after the copy's cleanup.
QString cancelledCopySummary(const QString& operation, const QString& dest, const QString& source)
{
    return (QFileInfo::exists(Store::unfinishedCopyMarker(dest))
                ? QObject::tr("%1 cancelled; its unfinished copy in %2 could not be removed "
                              "entirely: delete it. %3")
                : QObject::tr("%1 cancelled; its unfinished copy in %2 was removed. %3"))
        .arg(operation, dest, source);
}

// A Cancel that came after the copy's last check: the copy is whole and kept, and the summary
// says so (else "Cancel it and quit" would leave a copy nobody was told about).
QString lateCancelNote(const OperationControl& control)
{
    return control.cancelled() ? QObject::tr(" (Cancel came after the copy was whole: it is kept.)")
                               : QString();
}

// Why PATH cannot be opened as a store, or an empty string: the engine's refusals from the
// directory's files alone (not there, not a store, a backup, an unfinished copy, no permission).
// Cheap enough for the GUI thread, which asks before it closes the open store, so that a wrong
// folder leaves that store open.
QString openProblem(const QString& path)
{
    try {
        Store::checkOpenable(path);
    } catch (const FrostlineError& e) {
        return e.message();
    }
    return {};
}

// The file an import reads: reports the bytes read (about every 1 %, at least every 256 KiB)
// and fails the next read once the operator cancels.
class ProgressFile : public QFile
{
public:
    ProgressFile(const QString& path, const std::atomic<bool>& cancel,
                 std::function<void(qint64 done, qint64 total)> report)
        : QFile(path), m_cancel(cancel), m_report(std::move(report))
    {}

    bool open(OpenMode mode) override
    {
        if (!QFile::open(mode))
            return false;
        m_total = isSequential() ? 0 : size(); // 0: unknown (a pipe)
        m_step = std::max<qint64>(m_total / 100, 256 * 1024);
        return true;
    }

    // The last report: everything read (unless the last read already said so).
    void reportEnd()
    {
        if (m_read != m_reported) {
            m_reported = m_read;
            m_report(m_read, std::max(m_total, m_read));
        }
    }

protected:
    qint64 readData(char* data, qint64 maxSize) override
    {
        if (m_cancel.load()) {
            setErrorString(StoreController::tr("cancelled"));
            return -1;
        }
        const qint64 n = QFile::readData(data, maxSize);
        if (n > 0) {
            m_read += n;
            if (m_read - m_reported >= m_step) {
                m_reported = m_read;
                m_report(m_read, m_total);
            }
        }
        return n;
    }

private:
    const std::atomic<bool>& m_cancel;
    std::function<void(qint64, qint64)> m_report;
    qint64 m_total = 0, m_step = 0, m_read = 0, m_reported = 0;
};

// Request kinds that carry a generation number.
enum Kind
{
    KindOpen,
    KindPreview,
    KindStatistics,
    KindWal,
    KindWalRecords,
    KindLookup,
    KindLocate,
    KindHistory,
    KindCold,
    KindApply,
    // An encrypted store's keys derived before the open store closes (unlockThenOpen): its own
    // counter, since KindOpen is also the open store's session, which the unlock must not end.
    KindUnlock,
    KindCount
};

} // namespace

class StoreController::Private
{
public:
    explicit Private(StoreController* controller) : q(controller) {}

    StoreController* q;
    QThreadPool pool;
    // Closing a store (stopping its service, ~Store's checkpoint) runs here, never in `pool`:
    // a close stuck behind a long verify must not hold up the next open's thread.
    QThreadPool closing;
    std::shared_ptr<Store> store;
    // A closed store is destroyed by whoever drops the last reference (a worker may still hold
    // one); opening waits for it on a worker so the lock file is free again. The flag is set
    // when ~Store has *returned* (lock released): a weak_ptr expires as the destructor starts,
    // and a reopen racing a slow close then found the store still locked.
    std::shared_ptr<const std::atomic<bool>> storeDestroyed;
    // Stores closed but perhaps not destroyed yet, by resolved path: only a reopen of the same
    // directory has to wait for one (its lock); another store opens at once.
    struct Retired
    {
        QString path;
        std::shared_ptr<const std::atomic<bool>> destroyed;
    };
    std::vector<Retired> retired;
    // Whether this process holds, or may still hold, the lock of the store at RESOLVED.
    bool holdsLockOf(const QString& resolved) const
    {
        auto mayHold = [&resolved](const Retired& r) {
            return r.path == resolved && r.destroyed && !r.destroyed->load();
        };
        return (store && Store::resolvedPath(path) == resolved) || mayHold(opening) ||
               std::any_of(retired.begin(), retired.end(), mayHold);
    }
    // The open in flight: its store's flag exists before the worker makes the store, so an
    // open that supersedes it can wait for it (it may hold the directory's lock).
    Retired opening;
    // Set to stop that open at its next step (Cancel, a close, a newer open, quitting).
    std::shared_ptr<std::atomic<bool>> openCancel;
    bool openRunning = false;
    void setOpenRunning(bool running)
    {
        if (std::exchange(openRunning, running) != running)
            emit q->openRunningChanged(running);
    }
    // The open in flight has ended (opened, cancelled, refused): nothing to wait for or stop.
    void endOpen()
    {
        opening = {};
        openCancel.reset();
        setOpenRunning(false);
    }
    std::unique_ptr<MigrationService> service;
    QString path;
    MigrationPolicy policy;
    std::atomic<quint64> generation[KindCount] = {};
    std::atomic<quint64> stale{0};
    std::atomic<bool> cancelOperation{false}; // import
    std::atomic<bool> cancelGenerate{false};  // the demo store being generated
    std::atomic<bool> cancelVerify{false}, cancelCheckpoint{false};
    std::atomic<bool> cancelCopy{false}; // the backup or restore running
    // Preview generations are per requester (a page): a page's new question supersedes only
    // its own older one, so two pages never drop each other's answers.
    QMutex previewMutex;
    std::map<const QObject*, quint64> newestPreview;
    // Serialises the saves of policy.json, so the newest Apply is the one the file keeps.
    QMutex applyMutex;
    // Coalescing: at most one statistics / WAL refresh in flight; a request meanwhile reruns it.
    bool statisticsInFlight = false, statisticsAgain = false;
    bool walInFlight = false, walAgain = false;
    quint64 flushedLsn = 0;
    StoreStatistics lastStatistics;    // of the open store (one snapshot: its tiers add up)
    QElapsedTimer statisticsDuringRun; // since the last refresh a committed batch asked for
    bool copyRunning = false;          // a backup or restore is on a worker
    PassphraseProvider passphraseProvider;
    // The passphrase of a copy just created or restored, for its one next open (never stored).
    QString pendingPath;
    QByteArray pendingPassphrase;

    void forgetPending()
    {
        pendingPath.clear();
        pendingPassphrase.clear();
    }

    void setCopyRunning(bool running)
    {
        copyRunning = running;
        emit q->copyRunningChanged(running);
    }
    // The onFailure of a backup or restore: a failed copy has ended too (before the failure is
    // told, as a finished or cancelled one ends before its summary). ABOUT, if given, rewrites
    // the message as failureAbout does.
    std::function<QString(const QString&)>
    copyFailure(std::function<QString(const QString&)> about = {})
    {
        return [this, about = std::move(about)](const QString& message) {
            setCopyRunning(false);
            return about ? about(message) : message;
        };
    }

    // Runs `work` on a worker; `work` returns the continuation to run on the GUI thread.
    // Exceptions become operationFailed(what, message) for the window that asked; `onFailure`,
    // if given, rewrites that message on the GUI thread (empty: drop it, the request is stale).
    using Work = std::function<std::function<void()>()>;
    void run(const QString& what, Work work) { run(what, {}, std::move(work)); }
    void run(const QString& what, std::function<QString(const QString&)> onFailure, Work work)
    {
        QPointer<StoreController> guard(q);
        pool.start([this, guard, what, work = std::move(work), onFailure = std::move(onFailure)] {
            // Workers yield the CPU to the GUI thread on a busy machine (Linux: per-thread nice).
            thread_local const bool niced = ::setpriority(PRIO_PROCESS, ::gettid(), 5) == 0;
            Q_UNUSED(niced);
            std::function<void()> done;
            QString failure;
            try {
                done = work();
            } catch (const std::exception& e) {
                failure = describe(e);
            } catch (...) {
                failure = QStringLiteral("unexpected failure");
            }
            if (!guard)
                return;
            QMetaObject::invokeMethod(
                q,
                [this, what, done = std::move(done), failure, onFailure] {
                    if (failure.isEmpty()) {
                        if (done)
                            done();
                        return;
                    }
                    const QString message = onFailure ? onFailure(failure) : failure;
                    if (!message.isEmpty())
                        emit q->operationFailed(what, message);
                },
                Qt::QueuedConnection);
        });
    }

    quint64 next(Kind k) { return ++generation[k]; }

    // The open store's session: operations on a store (import, verify, checkpoint, backup)
    // whose result arrives after it was closed must not change what the window shows for the
    // store open now; their summaries and failures name the store they were about instead.
    struct Session
    {
        quint64 generation;
        QString path;
    };
    Session session() const { return {generation[KindOpen].load(), path}; }
    bool isCurrent(const Session& s) const { return generation[KindOpen].load() == s.generation; }
    QString about(const Session& s, const QString& message) const
    {
        return isCurrent(s)
                   ? message
                   : StoreController::tr("%1 (store %2, closed since)").arg(message, s.path);
    }
    // The end of an operation on the store of session S: a result about a store closed since
    // names it and says so in its ending.
    void finished(const QString& what, const Session& s, const QString& summary,
                  StoreController::Ending ending)
    {
        emit q->operationFinished(what, about(s, summary),
                                  isCurrent(s) ? ending
                                               : StoreController::Ending::AboutAClosedStore);
    }
    std::function<QString(const QString&)> failureAbout(const Session& s) const
    {
        return [this, s](const QString& message) { return about(s, message); };
    }

    // Progress (stepProgress, queued to the GUI thread) and cancellation of an open, verify or
    // checkpoint running on a worker. WANTED, if given, is asked on the GUI thread before each
    // report goes out: a superseded open's last steps must not show as the newer open's.
    OperationControl control(const QString& what, const std::atomic<bool>& cancel,
                             std::function<bool()> wanted = {})
    {
        OperationControl c;
        c.cancel = &cancel;
        QPointer<StoreController> guard(q);
        c.progress = [this, guard, what, wanted](const QString& step, quint64 done, quint64 total,
                                                 OperationControl::Unit unit) {
            if (guard)
                QMetaObject::invokeMethod(
                    q,
                    [this, what, step, done, total, unit, wanted] {
                        if (!wanted || wanted())
                            emit q->stepProgress(what, step, done, total, unit);
                    },
                    Qt::QueuedConnection);
        };
        return c;
    }

    // Destroys a store on the closing pool (never on the GUI thread: ~Store checkpoints).
    void destroyLater(std::shared_ptr<Store> st)
    {
        closing.start([st = std::move(st)]() mutable { st.reset(); });
    }

    // An open in flight that nobody wants any more: a later open of its directory waits for
    // its store to be destroyed, as for a closed one.
    void abandonOpen()
    {
        if (openCancel)
            openCancel->store(true); // its recovery and replay stop at the next step
        openCancel.reset();
        setOpenRunning(false);
        if (opening.destroyed && !opening.destroyed->load())
            retired.push_back(std::move(opening));
        opening = {};
    }
    bool current(Kind k, quint64 g)
    {
        if (generation[k].load() == g)
            return true;
        ++stale;
        return false;
    }

    // Hands the service and the store to a worker to stop and destroy: stopping waits for the
    // batch in flight, and ~Store checkpoints and closes Berkeley DB; neither may block the GUI
    // thread. The caller clears the rest of the state.
    // After a write: the statistics and the WAL are read again, and the pages showing the hot
    // tier hear that it changed when it did (HOTTIERCHANGED).
    void afterWrite(bool hotTierChanged)
    {
        if (hotTierChanged)
            emit q->hotTierChanged();
        q->refreshStatistics();
        q->refreshWal();
    }

    void retire()
    {
        retired.push_back({Store::resolvedPath(path), std::move(storeDestroyed)});
        std::shared_ptr<MigrationService> s = std::move(service);
        if (s) {
            s->cancel(); // the run in flight stops after its current batch
            QObject::disconnect(s.get(), nullptr, q, nullptr);
            // Its timer fires on this thread until the service is deleted: a disabled policy
            // keeps it from launching another run on the store being closed.
            MigrationPolicy off = s->policy();
            off.enabled = false;
            s->setPolicy(off);
        }
        closing.start([this, s = std::move(s), st = std::move(store)]() mutable {
            if (s)
                s->waitForIdle();
            // ~Store runs here, or on the last worker still holding the store.
            st.reset();
            if (!s)
                return;
            // The service is a QObject of the GUI thread (its timer lives there): delete it
            // there. If the controller is gone first, the dropped call deletes it on that thread.
            QMetaObject::invokeMethod(
                q, [s = std::move(s)]() mutable { s.reset(); }, Qt::QueuedConnection);
        });
    }

    void connectService()
    {
        MigrationService* s = service.get();
        // Service signals are emitted on its worker: these connections are queued.
        QObject::connect(s, &MigrationService::progress, q, &StoreController::migrationProgress);
        QObject::connect(s, &MigrationService::batchCommitted, q,
                         [this](const BatchCommitResult& b, const MigrationProgress& p) {
                             flushedLsn = std::max(flushedLsn, b.flushedLsn);
                             emit q->migrationBatchCommitted(b, p);
                             // The figures follow a run twice a second: a read waits for the
                             // batch in flight, so one per batch would vie with the run for the
                             // writer mutex (and flood the dashboard's hot-size chart).
                             if (!statisticsDuringRun.isValid() ||
                                 statisticsDuringRun.elapsed() >= 500) {
                                 statisticsDuringRun.start();
                                 q->refreshStatistics();
                             }
                         });
        QObject::connect(s, &MigrationService::runFinished, q, [this](const MigrationRunResult& r) {
            flushedLsn = std::max(flushedLsn, r.flushedLsn);
            emit q->migrationFinished(r);
            afterWrite(r.migrated > 0);
        });
        QObject::connect(s, &MigrationService::failed, q, [this](const QString& cause) {
            emit q->migrationFailed(cause);
            afterWrite(true); // batches before the failed one stay committed
        });
        QObject::connect(s, &MigrationService::stateChanged, q,
                         &StoreController::serviceStateChanged);
    }
};

StoreController::StoreController(QObject* parent) : QObject(parent), d(new Private(this))
{
    qRegisterMetaType<Store::OpenReport>();
    qRegisterMetaType<MigrationPolicy>();
    qRegisterMetaType<std::shared_ptr<const Selection>>();
    qRegisterMetaType<StoreStatistics>();
    qRegisterMetaType<std::vector<WalSegmentStatus>>();
    qRegisterMetaType<WalSegmentInfo>();
    qRegisterMetaType<std::optional<TieredVersion>>();
    qRegisterMetaType<EntityKey>();
    qRegisterMetaType<std::vector<TieredVersion>>();
    qRegisterMetaType<ColdStatistics>();
    qRegisterMetaType<CheckpointResult>();
    qRegisterMetaType<std::shared_ptr<const std::vector<DecodedWalRecord>>>();
    qRegisterMetaType<MigrationProgress>();
    qRegisterMetaType<MigrationRunResult>();
    qRegisterMetaType<BatchCommitResult>();
    qRegisterMetaType<MigrationService::State>();
    qRegisterMetaType<StoreBackup::Report>();
    // Open, preview, a refresh and a migration may overlap; the service has its own pool.
    d->pool.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
    d->closing.setMaxThreadCount(2);
}

StoreController::~StoreController()
{
    d->cancelOperation = true;
    d->cancelGenerate = true;
    d->cancelVerify = true; // long reads of a store nobody will see stop early
    d->cancelCheckpoint = true;
    d->abandonOpen();
    d->service.reset(); // stops the service; the batch in flight commits first
    for (auto& g : d->generation)
        ++g; // whatever is still running is stale now
    d->pool.waitForDone();
    d->closing.waitForDone();
    d->store.reset();
}

bool StoreController::isOpen() const
{
    return bool(d->store);
}
QString StoreController::storePath() const
{
    return d->path;
}
Store* StoreController::store() const
{
    return d->store.get();
}
MigrationService* StoreController::service() const
{
    return d->service.get();
}
MigrationPolicy StoreController::activePolicy() const
{
    return d->policy;
}

quint64 StoreController::hotVersions() const
{
    return d->store ? d->store->hot().versionCount() : 0;
}

quint64 StoreController::hotBytes() const
{
    return d->store ? d->store->hot().totalBytes() : 0;
}
StoreStatistics StoreController::lastStatistics() const
{
    return d->lastStatistics;
}
quint64 StoreController::flushedLsn() const
{
    return d->flushedLsn;
}

MigrationService::State StoreController::serviceState() const
{
    return d->service ? d->service->state() : MigrationService::State::Stopped;
}

quint64 StoreController::previewGeneration() const
{
    return d->generation[KindPreview];
}
quint64 StoreController::staleResultsDropped() const
{
    return d->stale;
}

void StoreController::waitForWorkers()
{
    if (d->service)
        d->service->waitForIdle();
    d->pool.waitForDone();
    d->closing.waitForDone();
}

bool StoreController::isCopyRunning() const
{
    return d->copyRunning;
}

QString StoreController::destinationProblem(const QString& dest)
{
    if (dest.trimmed().isEmpty())
        return tr("No destination directory was given.");
    const QFileInfo info(dest);
    if (info.exists() && !info.isDir())
        return tr("%1 is a file; choose a new or empty directory.").arg(dest);
    if (info.exists() && !QDir(dest).isEmpty())
        return tr("%1 is not empty; choose a new or empty directory.").arg(dest);
    return {};
}

void StoreController::setPassphraseProvider(PassphraseProvider provider)
{
    d->passphraseProvider = std::move(provider);
}

void StoreController::forgetPendingPassphrase()
{
    d->forgetPending();
}

QString StoreController::stillOpenNote() const
{
    return d->store ? tr(" %1 is still open.").arg(d->path) : QString();
}

void StoreController::openStore(const QString& path)
{
    // A newer request supersedes an unlock in flight at once, before any passphrase question:
    // an older one finishing meanwhile must not switch stores behind it.
    ++d->generation[KindUnlock];
    const QString what = tr("Open store");
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (path.trimmed().isEmpty()) {
        d->forgetPending();
        emit operationFailed(what, tr("No store directory was given."));
        return;
    }
    if (const QString problem = openProblem(clean); !problem.isEmpty()) {
        d->forgetPending();
        emit operationFailed(what, problem + stillOpenNote());
        return;
    }
    // Open in another process: said now too. This process's own hold (the open store, one
    // closing or opening) is waited for instead.
    if (StoreLock::isHeld(clean) && !d->holdsLockOf(Store::resolvedPath(clean))) {
        d->forgetPending();
        emit operationFailed(what, tr("%1 is locked: it is open elsewhere (another process, or "
                                      "another window); close it there first.")
                                           .arg(clean) +
                                       stillOpenNote());
        return;
    }
    // A passphrase kept from creating or restoring this very copy is used once, then dropped.
    QByteArray pending;
    if (d->pendingPath == clean)
        pending = std::exchange(d->pendingPassphrase, QByteArray());
    d->forgetPending();
    if (!StoreCipher::isEncrypted(clean)) {
        startOpen(clean, QByteArray(), false);
        return;
    }
    if (!pending.isEmpty()) {
        startOpen(clean, std::move(pending), true);
        return;
    }
    askAndOpen(clean, QString());
}

void StoreController::askAndOpen(const QString& clean, const QString& problem)
{
    if (!d->passphraseProvider) {
        startOpen(clean, QByteArray(), true); // fails with the engine's "passphrase is needed"
        return;
    }
    // Asked before the open store closes: cancelling leaves everything as it was.
    std::optional<QByteArray> passphrase = d->passphraseProvider(clean, problem);
    if (!passphrase) {
        emit operationFinished(tr("Open store"),
                               tr("Opening %1 cancelled: no passphrase given.").arg(clean),
                               Ending::Cancelled);
        return;
    }
    startOpen(clean, std::exchange(*passphrase, QByteArray()), true);
}

void StoreController::unlockThenOpen(const QString& clean, QByteArray passphrase)
{
    const QString what = tr("Open store");
    // A newer open request or a close supersedes this one (both count KindUnlock).
    const quint64 g = d->next(KindUnlock);
    emit operationStarted(what);
    auto secret = std::make_shared<QByteArray>(std::move(passphrase));
    d->run(
        what,
        [this, g](const QString& message) {
            return d->current(KindUnlock, g) ? message + stillOpenNote() : QString();
        },
        [this, g, clean, secret]() -> std::function<void()> {
            std::shared_ptr<const StoreCipher> cipher;
            try {
                // scrypt, here on the worker; the passphrase goes with it.
                cipher = StoreCipher::unlock(clean, std::exchange(*secret, QByteArray()));
            } catch (const FrostlineError& e) {
                if (e.cause() != FrostlineError::Cause::WrongPassphrase)
                    throw;
                const QString message = e.message();
                return [this, g, clean, message] {
                    if (!d->current(KindUnlock, g))
                        return;
                    emit operationFailed(tr("Open store"), message + stillOpenNote());
                    askAndOpen(clean, message);
                };
            }
            return [this, g, clean, cipher] {
                if (d->current(KindUnlock, g))
                    startOpen(clean, QByteArray(), true, cipher);
            };
        });
}

void StoreController::startOpen(const QString& clean, QByteArray passphrase, bool encrypted,
                                std::shared_ptr<const StoreCipher> cipher)
{
    // Closing the open store comes after the one refusal its files cannot tell: the passphrase.
    if (encrypted && !cipher && !passphrase.isEmpty() && d->store) {
        unlockThenOpen(clean, std::move(passphrase));
        return;
    }
    const QString what = tr("Open store");
    closeStore(); // also abandons an open still in flight
    const quint64 g = d->next(KindOpen);
    emit operationStarted(what);
    const QString resolved = Store::resolvedPath(clean);
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    d->opening = {resolved, destroyed};
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    d->openCancel = cancel;
    const OperationControl control =
        d->control(what, *cancel, [this, g] { return d->generation[KindOpen].load() == g; });
    d->setOpenRunning(true);
    // Only a store closed (or an open abandoned) at the same directory holds what this open
    // needs (its lock).
    std::erase_if(d->retired,
                  [](const Private::Retired& r) { return !r.destroyed || r.destroyed->load(); });
    std::vector<std::shared_ptr<const std::atomic<bool>>> retiring;
    for (const Private::Retired& r : d->retired)
        if (r.path == resolved)
            retiring.push_back(r.destroyed);
    // The only copy of the passphrase travels in this holder; the worker moves it into the
    // Store, which drops it once the keys are derived (scrypt runs there, not on this thread).
    auto secret = std::make_shared<QByteArray>(std::move(passphrase));
    // Marks the store gone if the worker never makes one (or fails before it owns the flag).
    struct GoneUnlessOwned
    {
        std::shared_ptr<std::atomic<bool>> flag;
        bool owned = false;
        ~GoneUnlessOwned()
        {
            if (!owned)
                flag->store(true);
        }
    };
    // A superseded open's failure (a lock, a vanished folder) is not news any more.
    auto unlessSuperseded = [this, g](const QString& message) {
        if (!d->current(KindOpen, g))
            return QString();
        d->setOpenRunning(false);
        return message;
    };
    d->run(what, unlessSuperseded,
           [this, g, clean, retiring, secret, encrypted, destroyed, cancel, cipher,
            control]() -> std::function<void()> {
               GoneUnlessOwned gone{destroyed};
               auto cancelled = [this, g, clean]() -> std::function<void()> {
                   return [this, g, clean] {
                       if (!d->current(KindOpen, g))
                           return; // a close or a newer open cancelled it: no news
                       d->endOpen();
                       emit operationFinished(
                           tr("Open store"),
                           tr("Opening %1 cancelled; no store is open.").arg(clean),
                           Ending::Cancelled);
                   };
               };
               // Wait (here, on the worker) until a store closed a moment ago at this directory is
               // really gone: its last workers finish and ~Store returns (Berkeley DB closed, lock
               // released). Up to 2 minutes, for a heavily loaded machine.
               auto closed = [&retiring] {
                   return std::all_of(retiring.begin(), retiring.end(),
                                      [](const auto& flag) { return flag->load(); });
               };
               if (!closed())
                   control.report(tr("waiting for the store closed a moment ago to let go of it"),
                                  0, 0);
               for (int i = 0; i < 12000 && !closed() && !cancel->load(); ++i)
                   std::this_thread::sleep_for(std::chrono::milliseconds(10));
               if (cancel->load())
                   return cancelled();
               // (Store::open checks the folder again: it may have changed since the GUI thread
               // looked.)
               Store::Options options;
               options.passphrase = std::exchange(*secret, QByteArray());
               options.cipher = cipher;
               std::shared_ptr<Store> store(new Store(clean, std::move(options)),
                                            [destroyed](Store* closing) {
                                                delete closing;
                                                destroyed->store(true);
                                            });
               gone.owned = true;
               Store::OpenReport report;
               try {
                   report = store->open(control);
               } catch (const FrostlineError& e) {
                   if (e.cause() == FrostlineError::Cause::Cancelled || cancel->load())
                       return cancelled();
                   // The passphrase check refused the passphrase as wrong: ask again (unless the
                   // operator has moved on to another store meanwhile). Any other refusal (an
                   // empty passphrase, a folder gone meanwhile) is said once, like every failure.
                   if (!encrypted || e.cause() != FrostlineError::Cause::WrongPassphrase)
                       throw;
                   const QString message = e.message();
                   return [this, g, clean, message] {
                       if (!d->current(KindOpen, g))
                           return;
                       d->endOpen();
                       emit operationFailed(tr("Open store"), message);
                       askAndOpen(clean, message);
                   };
               }
               MigrationPolicy policy;
               QString policyProblem;
               try {
                   // A store that lost its policy.json is said as loudly as a bad file: it would
                   // otherwise show, and migrate by, the default policy without a word.
                   if (const std::optional<MigrationPolicy> active = store->activePolicy())
                       policy = *active;
                   else
                       policyProblem = tr("%1 does not exist").arg(store->policyPath());
               } catch (const std::exception& e) {
                   policyProblem = describe(e);
               }
               return [this, g, clean, store, destroyed, report, policy, policyProblem]() mutable {
                   if (!d->current(KindOpen, g)) {
                       // A newer open or a close superseded this one: close it on a worker (it is
                       // in d->retired, so an open of the same directory waits for it).
                       d->destroyLater(std::move(store));
                       return;
                   }
                   d->endOpen();
                   d->store = store;
                   d->storeDestroyed = destroyed;
                   d->path = clean;
                   d->policy = policy;
                   d->lastStatistics = {};
                   d->flushedLsn = report.flushedLsn;
                   d->service = std::make_unique<MigrationService>(*store);
                   d->service->setPolicy(policy);
                   d->connectService();
                   emit storeOpened(clean, report);
                   emit serviceStateChanged(d->service->state());
                   QString opened = tr("Opened %1 in %2 ms (%3 WAL records replayed)")
                                        .arg(clean)
                                        .arg(report.elapsedMs)
                                        .arg(report.replayedRecords);
                   if (const QString note = report.tornTailNote(); !note.isEmpty())
                       opened += QStringLiteral("; ") + note;
                   emit operationFinished(tr("Open store"), opened, Ending::Completed);
                   if (!policyProblem.isEmpty())
                       emit operationFailed(tr("Load policy"),
                                            tr("policy.json could not be read, using the default "
                                               "policy: %1")
                                                .arg(policyProblem));
                   d->afterWrite(false);
               };
           });
}

void StoreController::createDemoStore(const QString& path, quint64 entities, quint64 versions,
                                      double spanDays, quint64 seed, const QByteArray& passphrase)
{
    const QString what = tr("Generate demo store");
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    d->cancelGenerate = false;
    emit operationStarted(what);
    QPointer<StoreController> guard(this);
    auto secret = std::make_shared<QByteArray>(passphrase);
    d->run(what,
           [this, guard, what, clean, entities, versions, spanDays, seed,
            secret]() -> std::function<void()> {
               if (secret->isEmpty())
                   Store::create(clean);
               else
                   Store::create(clean, *secret);
               {
                   Store::Options options;
                   options.passphrase = *secret;
                   Store store(clean, std::move(options));
                   store.open();
                   WorkloadGenerator::Options o;
                   o.entities = std::max<quint64>(1, entities);
                   o.versions = std::max<quint64>(o.entities, versions);
                   o.spanDays = spanDays;
                   o.seed = seed;
                   WorkloadGenerator generator(o);
                   std::vector<Version> chunk;
                   constexpr std::size_t kChunk = 20000;
                   chunk.reserve(kChunk);
                   quint64 done = 0;
                   bool cancelled = false;
                   auto flush = [&] {
                       if (chunk.empty())
                           return;
                       done += chunk.size();
                       store.append(std::move(chunk));
                       chunk.clear();
                       chunk.reserve(kChunk);
                       if (guard)
                           QMetaObject::invokeMethod(
                               this,
                               [this, what, done, total = o.versions] {
                                   emit operationProgress(what, Phase::Generating, qint64(done),
                                                          qint64(total));
                               },
                               Qt::QueuedConnection);
                   };
                   // The generator pushes every version; once cancelled the rest are skipped.
                   generator.generate([&](Version&& v) {
                       if (cancelled)
                           return;
                       chunk.push_back(std::move(v));
                       if (chunk.size() >= kChunk) {
                           flush();
                           if (d->cancelGenerate)
                               cancelled = true;
                       }
                   });
                   if (!cancelled)
                       flush();
                   store.close();
               }
               return [this, what, clean, secret] {
                   emit operationFinished(what, tr("Created %1").arg(clean), Ending::Completed);
                   d->pendingPath = clean;
                   d->pendingPassphrase = std::exchange(*secret, QByteArray());
                   openStore(clean);
               };
           });
}

void StoreController::importFile(const QString& jsonlPath)
{
    const QString what = tr("Import");
    if (!d->store) {
        emit operationFailed(what, tr("Open a store before importing."));
        return;
    }
    d->cancelOperation = false;
    emit operationStarted(what);
    auto store = d->store;
    QPointer<StoreController> guard(this);
    const Private::Session session = d->session();
    d->run(
        what, d->failureAbout(session),
        [this, guard, what, store, jsonlPath, session]() -> std::function<void()> {
            // Called on this worker; delivered to the GUI thread in order, queued.
            auto report = [this, guard, what](Phase phase, qint64 done, qint64 total) {
                if (guard)
                    QMetaObject::invokeMethod(
                        this,
                        [this, what, phase, done, total] {
                            emit operationProgress(what, phase, done, total);
                        },
                        Qt::QueuedConnection);
            };
            ProgressFile file(jsonlPath, d->cancelOperation, [report](qint64 done, qint64 total) {
                report(Phase::Reading, done, total);
            });
            // A refusal before anything was appended says so: the banner's "Import failed" alone
            // left the operator to wonder whether part of the file went in.
            auto nothingImported = [](const FrostlineError& e) {
                return FrostlineError(e.kind(), e.message() + tr(" Nothing was imported."),
                                      e.cause());
            };
            if (!file.open(QIODevice::ReadOnly))
                throw nothingImported(
                    FrostlineError::badInput(QStringLiteral("cannot open \"%1\"").arg(jsonlPath) +
                                             QStringLiteral(": ") + file.errorString()));
            std::vector<Version> versions;
            std::vector<qint64> lines; // so a refused id names its line, as the CLI does
            try {
                versions = JsonlCodec::readAll(file, jsonlPath, InputLimits::kMaxVersionsPerImport,
                                               &lines);
            } catch (const FrostlineError& e) {
                if (!d->cancelOperation)
                    throw nothingImported(e);
            } catch (...) {
                if (!d->cancelOperation)
                    throw; // a cancelled read fails or stops short: reported as cancelled below
            }
            // Cancel works until here. Store::append then validates the whole file and appends it
            // all (durable on return) or nothing: appending it in parts so that a cancel could stop
            // in between would also import the first part of a file that fails validation later.
            if (d->cancelOperation)
                return [this, what, jsonlPath, session] {
                    d->finished(what, session,
                                tr("Import of %1 cancelled: nothing was imported.").arg(jsonlPath),
                                Ending::Cancelled);
                };
            file.reportEnd();
            const std::size_t n = versions.size();
            // From here on the import cannot be cancelled: the window disables Cancel when the
            // append phase starts. Validation comes first, then a report after each durable chunk.
            if (n > 0)
                report(Phase::Appending, 0, qint64(n));
            std::size_t durable = 0;
            try {
                store->append(
                    std::move(versions),
                    [&](std::size_t i) { return JsonlCodec::location(jsonlPath, lines[i]); },
                    [&](std::size_t appended, std::size_t total) {
                        durable = appended;
                        report(Phase::Appending, qint64(appended), qint64(total));
                    });
            } catch (const FrostlineError& e) {
                // A failure part-way (a full disk) keeps the chunks already durable, as its
                // message says: the hot tier changed all the same.
                if (durable == 0)
                    throw nothingImported(e);
                QMetaObject::invokeMethod(
                    this, [this] { d->afterWrite(true); }, Qt::QueuedConnection);
                throw;
            } catch (...) {
                if (durable > 0)
                    QMetaObject::invokeMethod(
                        this, [this] { d->afterWrite(true); }, Qt::QueuedConnection);
                throw;
            }
            return [this, what, n, jsonlPath, session] {
                d->finished(what, session, tr("Imported %1 versions from %2").arg(n).arg(jsonlPath),
                            Ending::Completed);
                d->afterWrite(n > 0);
            };
        });
}

void StoreController::closeStore()
{
    ++d->generation[KindOpen];   // an open in flight must not install itself after a close
    ++d->generation[KindUnlock]; // nor an unlock in flight start one
    d->abandonOpen();
    if (!d->store)
        return;
    for (int k = KindPreview; k < KindCount; ++k)
        ++d->generation[k];
    d->cancelOperation = true;
    d->cancelVerify = true; // a verify or checkpoint of the closing store stops early
    d->cancelCheckpoint = true;
    {
        QMutexLocker lock(&d->previewMutex);
        d->newestPreview.clear(); // every preview in flight is about the store closing
    }
    d->retire(); // the batch in flight (cancelled) commits first, on a worker
    d->path.clear();
    d->lastStatistics = {};
    d->flushedLsn = 0;
    d->statisticsAgain = d->walAgain = false;
    emit storeClosed();
    emit serviceStateChanged(MigrationService::State::Stopped);
}

void StoreController::applyPolicy(const MigrationPolicy& policy)
{
    const QString what = tr("Apply policy");
    const QStringList problems = policy.validate();
    if (!problems.isEmpty()) {
        emit operationFailed(what, problems.join(QLatin1Char('\n')));
        return;
    }
    if (!d->store) {
        d->policy = policy;
        emit policyApplied(policy);
        return;
    }
    auto store = d->store;
    // The policy becomes the active one only once policy.json holds it: a failed save must not
    // leave the service (and "Run once") migrating with a policy the next open would not find.
    std::weak_ptr<Store> saved = store;
    const quint64 g = d->next(KindApply);
    d->run(what, [this, store, saved, policy, g]() -> std::function<void()> {
        {
            // Saves run one at a time, and one superseded by a newer Apply is skipped: the
            // file ends with the newest policy, the one the window makes active.
            QMutexLocker lock(&d->applyMutex);
            if (d->generation[KindApply].load() != g)
                return {};
            store->setActivePolicy(policy);
        }
        return [this, saved, policy, g] {
            if (!d->current(KindApply, g))
                return;
            if (!d->store || d->store != saved.lock())
                return; // saved into a store that has been closed since
            d->policy = policy;
            if (d->service)
                d->service->setPolicy(policy);
            emit policyApplied(policy);
        };
    });
}

quint64 StoreController::requestPreview(const MigrationPolicy& policy, qint64 now,
                                        const QObject* requester)
{
    const QString what = tr("Preview");
    if (!d->store) {
        emit operationFailed(what, tr("Open a store to preview a policy."));
        return 0;
    }
    const quint64 g = d->next(KindPreview);
    {
        QMutexLocker lock(&d->previewMutex);
        d->newestPreview[requester] = g;
    }
    auto newest = [this, requester, g] {
        QMutexLocker lock(&d->previewMutex);
        const auto it = d->newestPreview.find(requester);
        if (it != d->newestPreview.end() && it->second == g)
            return true;
        ++d->stale;
        return false;
    };
    auto store = d->store;
    auto unlessSuperseded = [newest](const QString& message) {
        return newest() ? message : QString();
    };
    d->run(what, unlessSuperseded,
           [this, g, store, policy, now, newest]() -> std::function<void()> {
               if (!newest())
                   return {}; // superseded before it even started
               auto selection =
                   std::make_shared<const Selection>(MigrationRun(*store, policy, now).select());
               return [this, g, policy, now, selection, newest] {
                   if (newest())
                       emit previewReady(g, policy, now, selection);
               };
           });
    return g;
}

void StoreController::refreshStatistics()
{
    if (!d->store)
        return;
    if (d->statisticsInFlight) {
        d->statisticsAgain = true;
        return;
    }
    d->statisticsInFlight = true;
    const quint64 g = d->next(KindStatistics);
    auto store = d->store;
    const QString what = tr("Read statistics");
    d->run(what, [this, g, store]() -> std::function<void()> {
        StoreStatistics s;
        try {
            s = store->statistics();
        } catch (...) {
            // The continuation must run to clear the in-flight flag; report through it.
            QMetaObject::invokeMethod(
                this, [this] { d->statisticsInFlight = false; }, Qt::QueuedConnection);
            throw;
        }
        return [this, g, s] {
            d->statisticsInFlight = false;
            if (d->current(KindStatistics, g)) {
                d->lastStatistics = s;
                // A read that waited behind batches may arrive after a newer batch's word: the
                // flushed LSN shown never goes back.
                d->flushedLsn = std::max(d->flushedLsn, s.flushedLsn);
                emit statisticsUpdated(s);
            }
            if (std::exchange(d->statisticsAgain, false))
                refreshStatistics();
        };
    });
}

void StoreController::refreshWal()
{
    if (!d->store)
        return;
    if (d->walInFlight) {
        d->walAgain = true;
        return;
    }
    d->walInFlight = true;
    const quint64 g = d->next(KindWal);
    auto store = d->store;
    d->run(tr("Read WAL status"), [this, g, store]() -> std::function<void()> {
        std::vector<WalSegmentStatus> segments;
        quint64 last = 0, flushed = 0;
        try {
            segments = store->walStatus();
            last = store->wal().lastLsn();
            flushed = store->flushedLsn();
        } catch (...) {
            QMetaObject::invokeMethod(
                this, [this] { d->walInFlight = false; }, Qt::QueuedConnection);
            throw;
        }
        return [this, g, segments, last, flushed] {
            d->walInFlight = false;
            if (d->current(KindWal, g)) {
                d->flushedLsn = std::max(d->flushedLsn, flushed);
                emit walUpdated(segments, last, flushed);
            }
            if (std::exchange(d->walAgain, false))
                refreshWal();
        };
    });
}

void StoreController::requestWalRecords(const WalSegmentInfo& segment, quint64 fromLsn, int limit)
{
    if (!d->store)
        return;
    const quint64 g = d->next(KindWalRecords);
    auto store = d->store;
    const quint64 start = std::max(segment.firstLsn, fromLsn);
    d->run(tr("Read WAL segment"),
           [this, g, store, segment, start, limit]() -> std::function<void()> {
               auto records = std::make_shared<std::vector<DecodedWalRecord>>();
               bool more = false;
               if (segment.records > 0 && segment.lastLsn >= start) {
                   store->wal().scan(
                       start,
                       [&](const WalRecord& r) {
                           if (r.lsn > segment.lastLsn)
                               return false;
                           if (d->generation[KindWalRecords].load() != g)
                               return false; // the operator picked another segment meanwhile
                           if (int(records->size()) >= limit) {
                               more = true;
                               return false;
                           }
                           DecodedWalRecord rec;
                           rec.lsn = r.lsn;
                           rec.offset = r.offset;
                           rec.payloadBytes = r.payload.size();
                           rec.decoded = VersionCodec::decode(r.payload, &rec.version, &rec.error);
                           records->push_back(std::move(rec));
                           return true;
                       },
                       store->flushedLsn());
               }
               std::shared_ptr<const std::vector<DecodedWalRecord>> result = records;
               return [this, g, segment, result, more] {
                   if (d->current(KindWalRecords, g))
                       emit walRecordsReady(segment, result, more);
               };
           });
}

void StoreController::requestVerify()
{
    const QString what = tr("Verify");
    if (!d->store) {
        emit operationFailed(what, tr("Open a store to verify it."));
        return;
    }
    d->cancelVerify = false;
    emit operationStarted(what);
    auto store = d->store;
    const Private::Session session = d->session();
    const OperationControl control = d->control(what, d->cancelVerify);
    d->run(what, d->failureAbout(session),
           [this, what, store, session, control]() -> std::function<void()> {
               QStringList problems;
               try {
                   problems = store->verify(control);
               } catch (const FrostlineError& e) {
                   if (e.cause() != FrostlineError::Cause::Cancelled)
                       throw;
                   return [this, what, session] {
                       d->finished(what, session, tr("Verify cancelled; it changed nothing."),
                                   Ending::Cancelled);
                   };
               }
               // What was checked, as the CLI says it: "sound" alone told the operator less.
               // (A statistics failure then must not turn a clean verify into a failed one.)
               QString sound;
               if (problems.isEmpty()) {
                   try {
                       sound = tr(": %1").arg(DisplayFormat::soundStore(store->statistics()));
                   } catch (const std::exception&) {
                   }
               }
               return [this, what, problems, session, sound] {
                   if (d->isCurrent(session))
                       emit verifyFinished(problems);
                   d->finished(what, session,
                               problems.isEmpty()
                                   ? tr("The store is sound%1.").arg(sound)
                                   : tr("%n problem(s) found.", nullptr, int(problems.size())),
                               Ending::Completed);
               };
           });
}

void StoreController::requestCheckpoint()
{
    const QString what = tr("Checkpoint");
    if (!d->store) {
        emit operationFailed(what, tr("Open a store to checkpoint it."));
        return;
    }
    d->cancelCheckpoint = false;
    emit operationStarted(what);
    auto store = d->store;
    const Private::Session session = d->session();
    const OperationControl control = d->control(what, d->cancelCheckpoint);
    d->run(
        what, d->failureAbout(session),
        [this, what, store, session, control]() -> std::function<void()> {
            const CheckpointResult r = store->checkpoint(true, control);
            return [this, what, r, session] {
                if (d->isCurrent(session)) {
                    d->flushedLsn = std::max(d->flushedLsn, r.flushedLsn);
                    emit checkpointFinished(r);
                }
                const QString summary =
                    r.cancelled
                        ? tr("Checkpoint cancelled after %1 versions; flushed LSN %2 (the next "
                             "checkpoint writes the rest)")
                              .arg(r.checkpointedVersions)
                              .arg(r.flushedLsn)
                        : tr("Checkpointed %1 versions; flushed LSN %2; %3 WAL segment(s) deleted")
                                  .arg(r.checkpointedVersions)
                                  .arg(r.flushedLsn)
                                  .arg(r.segmentsDeleted) +
                              (r.walProblem.isEmpty() ? QString()
                                                      : QStringLiteral("; ") + r.walProblem);
                d->finished(what, session, summary,
                            r.cancelled ? Ending::Cancelled : Ending::Completed);
                d->afterWrite(false);
            };
        });
}

QString StoreController::explainOperation()
{
    return tr("Explain why it stays or moves");
}

void StoreController::lookupVersion(quint64 versionId)
{
    askForVersion(versionId, false);
}

void StoreController::locateVersion(quint64 versionId)
{
    askForVersion(versionId, true);
}

void StoreController::askForVersion(quint64 versionId, bool locateOnly)
{
    if (!d->store)
        return;
    // Each question has its own generation: the preview's "why?" does not drop the cold page's
    // lookup, nor the other way round.
    const Kind kind = locateOnly ? KindLocate : KindLookup;
    const quint64 g = d->next(kind);
    auto store = d->store;
    // A failure is told to the page that asked: the cold page answers for "Find version".
    d->run(locateOnly ? explainOperation() : tr("Find version"),
           [this, kind, g, store, versionId, locateOnly]() -> std::function<void()> {
               const std::optional<TieredVersion> v =
                   locateOnly ? store->locate(versionId) : store->find(versionId);
               return [this, kind, g, versionId, v, locateOnly] {
                   if (!d->current(kind, g))
                       return;
                   if (locateOnly)
                       emit versionLocated(versionId, v);
                   else
                       emit versionFound(versionId, v);
               };
           });
}

void StoreController::lookupHistory(const EntityKey& entity)
{
    if (!d->store)
        return;
    const quint64 g = d->next(KindHistory);
    auto store = d->store;
    d->run(tr("Read history"), [this, g, store, entity]() -> std::function<void()> {
        const std::vector<TieredVersion> h = store->history(entity);
        return [this, g, entity, h] {
            if (d->current(KindHistory, g))
                emit historyFound(entity, h);
        };
    });
}

void StoreController::requestColdStatistics()
{
    if (!d->store)
        return;
    const quint64 g = d->next(KindCold);
    auto store = d->store;
    d->run(tr("Read cold tier statistics"), [this, g, store]() -> std::function<void()> {
        const ColdStatistics s = store->cold().statistics();
        return [this, g, s] {
            if (d->current(KindCold, g))
                emit coldStatisticsUpdated(s);
        };
    });
}

void StoreController::runMigrationOnce(const MigrationPolicy& policy)
{
    const QString what = tr("Migrate");
    if (!d->service) {
        emit operationFailed(what, tr("Open a store to migrate."));
        return;
    }
    const QStringList problems = policy.validate();
    if (!problems.isEmpty()) {
        emit operationFailed(what, problems.join(QLatin1Char('\n')));
        return;
    }
    d->service->setPolicy(policy);
    if (!d->service->runOnce())
        emit operationFailed(what, tr("A migration run is already in progress."));
}

void StoreController::startService()
{
    if (!d->service) {
        emit operationFailed(tr("Start service"), tr("Open a store to start the service."));
        return;
    }
    d->service->setPolicy(d->policy);
    d->service->start();
    emit serviceStateChanged(d->service->state());
}

void StoreController::stopService()
{
    if (!d->service)
        return;
    // Never wait here for the batch in flight: the run stops after it, and the service's state
    // change (queued) says Stopped when it is over.
    d->service->requestStop();
    emit serviceStateChanged(d->service->state());
}

void StoreController::cancelMigration()
{
    if (d->service)
        d->service->cancel();
}

void StoreController::backupStore(const QString& dest)
{
    const QString what = tr("Back up store");
    QString problem;
    const QString target = Store::resolvedPath(dest);
    if (!d->store)
        problem = tr("Open a store to back it up.");
    else if (d->copyRunning)
        problem = tr("A backup or restore is already running; wait for it to finish.");
    else if (dest.trimmed().isEmpty())
        problem = destinationProblem(dest);
    else if (Store::isSameOrInside(target, d->path))
        problem = tr("%1 lies inside the open store %2; choose a directory outside it.")
                      .arg(dest, d->path);
    else
        problem = destinationProblem(dest);
    if (!problem.isEmpty()) {
        emit operationFailed(what, problem);
        return;
    }
    d->cancelCopy = false;
    d->setCopyRunning(true);
    emit operationStarted(what);
    // The worker holds the store: closing the window's handle meanwhile waits for the copy.
    auto store = d->store;
    const Private::Session session = d->session();
    const OperationControl control = d->control(what, d->cancelCopy);
    d->run(what, d->copyFailure(d->failureAbout(session)),
           [this, what, store, target, session, control]() -> std::function<void()> {
               StoreBackup::Report report;
               try {
                   report = StoreBackup::backup(*store, target, control);
               } catch (const FrostlineError& e) {
                   if (e.cause() != FrostlineError::Cause::Cancelled)
                       throw;
                   const QString summary =
                       cancelledCopySummary(tr("Backup"), target, tr("The store is unchanged."));
                   return [this, what, summary, session] {
                       d->setCopyRunning(false);
                       d->finished(what, session, summary, Ending::Cancelled);
                   };
               }
               const QString late = lateCancelNote(control);
               return [this, target, report, session, late] {
                   d->setCopyRunning(false);
                   emit backupFinished(target, report);
                   d->finished(tr("Back up store"), session,
                               copySummary(tr("Backed up to"), target, report) + late,
                               Ending::Completed);
               };
           });
}

void StoreController::restoreBackup(const QString& backup, const QString& dest)
{
    const QString what = tr("Restore store");
    const QString source = Store::resolvedPath(backup);
    const QString target = Store::resolvedPath(dest);
    const QString open = d->store ? Store::resolvedPath(d->path) : QString();
    QString problem;
    if (d->copyRunning)
        problem = tr("A backup or restore is already running; wait for it to finish.");
    else if (backup.trimmed().isEmpty())
        problem = tr("No backup directory was given.");
    else if (dest.trimmed().isEmpty())
        problem = destinationProblem(dest);
    else if (!open.isEmpty() && Store::isSameOrInside(target, open))
        problem = tr("%1 is the open store's directory (or inside it); restoring never "
                     "overwrites the open store: choose a new or empty directory.")
                      .arg(dest);
    else if (!open.isEmpty() && source == open)
        problem =
            tr("%1 is the open store, not a backup; use Back up store… to copy it.").arg(backup);
    else if (!Store::looksLikeStore(source))
        problem = tr("%1 is not a Frostline backup: it has no wal/ and cold/ folders.").arg(backup);
    else if (Store::isSameOrInside(target, source))
        problem =
            tr("%1 lies inside the backup %2; choose a directory outside it.").arg(dest, backup);
    else
        problem = destinationProblem(dest);
    if (!problem.isEmpty()) {
        emit operationFailed(what, problem);
        return;
    }
    startRestore(source, target, QString());
}

void StoreController::startRestore(const QString& source, const QString& target,
                                   const QString& problem)
{
    const QString what = tr("Restore store");
    auto secret = std::make_shared<QByteArray>();
    const bool encrypted = StoreCipher::isEncrypted(source);
    if (encrypted && d->passphraseProvider) {
        std::optional<QByteArray> passphrase = d->passphraseProvider(source, problem);
        if (!passphrase) {
            emit operationFinished(what,
                                   tr("Restoring %1 cancelled: no passphrase given.").arg(source),
                                   Ending::Cancelled);
            return;
        }
        *secret = std::exchange(*passphrase, QByteArray());
    }
    d->forgetPending();
    d->cancelCopy = false;
    d->setCopyRunning(true);
    emit operationStarted(what);
    const OperationControl control = d->control(what, d->cancelCopy);
    d->run(what, d->copyFailure(),
           [this, what, source, target, secret, control]() -> std::function<void()> {
               StoreBackup::Report report;
               try {
                   try {
                       // The passphrase is checked before anything is copied, with the one key
                       // derivation the restore needs.
                       report = StoreBackup::restore(source, target, *secret, control);
                   } catch (const FrostlineError& e) {
                       // A wrong passphrase asks again, unless the operator has cancelled
                       // meanwhile.
                       if (e.cause() == FrostlineError::Cause::Cancelled || control.cancelled()) {
                           secret->clear();
                           const QString summary = cancelledCopySummary(
                               tr("Restore"), target, tr("The backup is unchanged."));
                           return [this, what, summary] {
                               d->setCopyRunning(false);
                               emit operationFinished(what, summary, Ending::Cancelled);
                           };
                       }
                       // Only a refused passphrase, not any other bad input, asks again.
                       if (e.cause() != FrostlineError::Cause::WrongPassphrase)
                           throw;
                       secret->clear();
                       const QString message = e.message();
                       return [this, source, target, message] {
                           d->setCopyRunning(false);
                           emit operationFailed(tr("Restore store"), message);
                           startRestore(source, target, message);
                       };
                   }
               } catch (...) {
                   secret->clear();
                   throw;
               }
               const QString late = lateCancelNote(control);
               return [this, target, report, secret, late] {
                   d->setCopyRunning(false);
                   // Opening the copy next needs the same passphrase: keep it for that one open.
                   d->forgetPending();
                   if (!secret->isEmpty()) {
                       d->pendingPath = target;
                       d->pendingPassphrase = std::exchange(*secret, QByteArray());
                   }
                   emit restoreFinished(target, report);
                   emit operationFinished(tr("Restore store"),
                                          copySummary(tr("Restored into"), target, report) + late,
                                          Ending::Completed);
               };
           });
}

void StoreController::cancelOperation()
{
    d->cancelOperation = true;
}

void StoreController::cancelDemoStore()
{
    d->cancelGenerate = true;
}

void StoreController::cancelOpen()
{
    if (d->openCancel)
        d->openCancel->store(true);
}

void StoreController::cancelVerify()
{
    d->cancelVerify = true;
}

void StoreController::cancelCheckpoint()
{
    d->cancelCheckpoint = true;
}

void StoreController::cancelCopy()
{
    d->cancelCopy = true;
}

} // namespace frostline

#include "migrationservice.h"

#include "frostlineerror.h"

#include <QtConcurrent/QtConcurrentRun>

namespace frostline {

MigrationService::MigrationService(Store& store, QObject* parent)
    : QObject(parent), m_store(store), m_clock(&currentMicros)
{
    qRegisterMetaType<MigrationProgress>();
    qRegisterMetaType<MigrationRunResult>();
    qRegisterMetaType<BatchCommitResult>();
    qRegisterMetaType<MigrationStatistics>();
    m_pool.setMaxThreadCount(1);
    m_timer.setSingleShot(false);
    connect(&m_timer, &QTimer::timeout, this, &MigrationService::onTimer);
}

MigrationService::~MigrationService()
{
    stop();
    waitForIdle();
}

void MigrationService::setPolicy(const MigrationPolicy& policy)
{
    {
        QMutexLocker lock(&m_mutex);
        m_policy = policy;
    }
    if (m_started)
        m_timer.start(int(std::max<qint64>(1, policy.runIntervalMicros / 1000)));
}

MigrationPolicy MigrationService::policy() const
{
    QMutexLocker lock(&m_mutex);
    return m_policy;
}

void MigrationService::setClock(std::function<qint64()> clock)
{
    QMutexLocker lock(&m_mutex);
    m_clock = std::move(clock);
}

MigrationStatistics MigrationService::statistics() const
{
    QMutexLocker lock(&m_mutex);
    return m_stats;
}

bool MigrationService::isRunInFlight() const
{
    return m_inFlight.isValid() && !m_inFlight.isFinished();
}

void MigrationService::setState(State s)
{
    if (m_state.exchange(s) != s)
        emit stateChanged(s);
}

void MigrationService::start()
{
    if (m_started)
        return;
    bool idle;
    {
        QMutexLocker lock(&m_mutex);
        m_started = true;
        m_cancel = false;
        idle = !m_runActive; // otherwise the run in flight settles Idle when it ends
    }
    const MigrationPolicy p = policy();
    m_timer.start(int(std::max<qint64>(1, p.runIntervalMicros / 1000)));
    if (idle)
        setState(State::Idle);
    // The first run does not wait a whole interval.
    launch(true);
}

void MigrationService::requestStop()
{
    m_timer.stop();
    bool settled = false;
    {
        QMutexLocker lock(&m_mutex);
        m_started = false;
        if (m_runActive)
            m_cancel = true; // the run checks it between batches, then settles Stopped
        else
            settled = true;
    }
    if (settled)
        setState(State::Stopped);
}

void MigrationService::stop()
{
    requestStop();
    // Lets the batch in flight commit, then returns.
    waitForIdle();
    m_cancel = false;
}

bool MigrationService::runOnce()
{
    return launch(false);
}

void MigrationService::cancel()
{
    if (isRunInFlight())
        m_cancel = true;
}

void MigrationService::waitForIdle()
{
    if (m_inFlight.isValid())
        m_inFlight.waitForFinished();
}

void MigrationService::onTimer()
{
    launch(true);
}

bool MigrationService::launch(bool requireTrigger)
{
    if (isRunInFlight())
        return false;
    MigrationPolicy p;
    qint64 now;
    {
        QMutexLocker lock(&m_mutex);
        p = m_policy;
        now = m_clock();
    }
    if (requireTrigger && !p.enabled)
        return false;
    m_cancel = false;
    {
        QMutexLocker lock(&m_mutex);
        m_runActive = true;
    }
    setState(State::Running);
    m_inFlight = QtConcurrent::run(
        &m_pool, [this, p, now, requireTrigger] { work(p, now, requireTrigger); });
    return true;
}

void MigrationService::work(MigrationPolicy policy, qint64 now, bool requireTrigger)
{
    MigrationRun run(m_store, policy, now);
    try {
        // Trigger: memory above the threshold or any age-eligible version, i.e. a non-empty
        // selection (the selector applies both rules and the per-entity bounds).
        Selection selection = run.select();
        if (requireTrigger && selection.candidates.empty()) {
            settle();
            return;
        }
        const MigrationRunResult result = run.run(
            std::move(selection),
            [this](const MigrationProgress& p, const BatchCommitResult& b) {
                {
                    QMutexLocker lock(&m_mutex);
                    m_stats.nodeVersions += b.nodeVersions;
                    m_stats.edgeVersions += b.edgeVersions;
                    m_stats.bytes += b.bytes;
                    ++m_stats.batches;
                }
                emit batchCommitted(b, p);
                emit progress(p);
            },
            &m_cancel);
        {
            QMutexLocker lock(&m_mutex);
            ++(result.cancelled ? m_stats.runsCancelled : m_stats.runsCompleted);
            m_stats.lastRunDurationSecs = result.durationSecs;
            m_stats.lastRunAtMicros = result.finishedAtMicros;
        }
        emit runFinished(result);
    } catch (const FrostlineError& e) {
        {
            QMutexLocker lock(&m_mutex);
            ++m_stats.errors;
            m_stats.lastError = e.message();
        }
        emit failed(e.message());
    } catch (const std::exception& e) {
        {
            QMutexLocker lock(&m_mutex);
            ++m_stats.errors;
            m_stats.lastError = QString::fromLocal8Bit(e.what());
        }
        emit failed(QString::fromLocal8Bit(e.what()));
    }
    settle();
}

void MigrationService::settle()
{
    State s;
    bool changed;
    {
        // Under the lock with start()/requestStop(): whichever comes second sees the other.
        QMutexLocker lock(&m_mutex);
        m_runActive = false;
        s = m_started ? State::Idle : State::Stopped;
        changed = m_state.exchange(s) != s;
    }
    if (changed)
        emit stateChanged(s);
}

} // namespace frostline

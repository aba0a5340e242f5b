#pragma once

#include "migrationpolicy.h"
#include "migrationrun.h"
#include "migrationstatistics.h"

#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <functional>

Q_DECLARE_METATYPE(frostline::MigrationProgress)
Q_DECLARE_METATYPE(frostline::MigrationRunResult)
Q_DECLARE_METATYPE(frostline::BatchCommitResult)

namespace frostline {

// The background migration service (design section 4): every run_interval, when a trigger holds
// (memory above the threshold, or any age-eligible version), one run on a QThreadPool worker.
// Signals are emitted from the worker and reach receivers in other threads queued.
//
// start()/stop() are idempotent and must be called from the thread the service lives in.
// stop() lets the batch in flight commit and then returns; at most one run is ever in flight.
class MigrationService : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Stopped,
        Idle,
        Running
    };
    Q_ENUM(State)

    explicit MigrationService(Store& store, QObject* parent = nullptr);
    ~MigrationService() override;

    void setPolicy(const MigrationPolicy& policy);
    MigrationPolicy policy() const;
    // The clock the runs use for `now` (tests and previews of the future); default: wall clock.
    void setClock(std::function<qint64()> clock);

    State state() const { return m_state.load(); }
    bool isStarted() const { return m_started.load(); }
    bool isRunInFlight() const;
    MigrationStatistics statistics() const;

public slots:
    void start();
    // Stops the timer and asks the run in flight (if any) to stop after its current batch;
    // returns at once. The state becomes Stopped when that run is over (stateChanged). For a
    // GUI thread, which must never wait for a batch.
    void requestStop();
    // requestStop(), then waits until the run in flight has finished.
    void stop();
    // Starts one run now unless one is in flight (returns false then). Works stopped or started.
    bool runOnce();
    // Asks the run in flight to stop after its current batch; returns at once.
    void cancel();
    // Blocks until no run is in flight (tests, shutdown).
    void waitForIdle();

signals:
    void progress(const frostline::MigrationProgress& progress);
    void batchCommitted(const frostline::BatchCommitResult& batch,
                        const frostline::MigrationProgress& progress);
    void runFinished(const frostline::MigrationRunResult& result);
    void failed(const QString& cause);
    void stateChanged(frostline::MigrationService::State state);

private:
    void onTimer();
    bool launch(bool requireTrigger);
    void setState(State s);
    // The state once no run is in flight: Idle when started, Stopped otherwise.
    void settle();
    void work(MigrationPolicy policy, qint64 now, bool requireTrigger);

    Store& m_store;
    QThreadPool m_pool;
    QTimer m_timer;
    QFuture<void> m_inFlight;
    std::atomic<bool> m_cancel{false};
    std::atomic<State> m_state{State::Stopped};
    std::atomic<bool> m_started{false};

    mutable QMutex m_mutex; // guards the fields below
    MigrationPolicy m_policy;
    std::function<qint64()> m_clock;
    MigrationStatistics m_stats;
    // True from launch() until work() settles the state. Under m_mutex, with m_started's
    // changes in requestStop(), so a stop racing the end of a run always ends Stopped.
    bool m_runActive = false;
};

} // namespace frostline

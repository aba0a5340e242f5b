#include "clicommands.h"

#include "frostlineerror.h"

#include <QTextStream>

#include <cstdio>

namespace frostline::cli {

namespace {

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream& err()
{
    static QTextStream s(stderr);
    return s;
}

const char* const kUsage = R"(Usage: frostline-cli COMMAND [ARGS]

Operate a Frostline tiered bi-temporal graph store.

Commands:
  init STORE                          create an empty store
  import STORE FILE.jsonl             append versions (the whole file is validated first)
  generate STORE --entities N --versions M --span-days D --seed S
                                      append a synthetic, reproducible workload
  export STORE [--tier hot|cold|all]  print versions as JSONL sorted by version_id
  preview STORE --policy FILE [--now MICROS] [--json]
                                      show which versions the policy would migrate, in order
  migrate STORE --policy FILE [--now MICROS] [--json]
                                      migrate those versions to the cold tier in batches
  checkpoint STORE                    write the hot checkpoint and advance the flushed LSN
  wal STORE [--json]                  WAL segments, LSNs, and what may be deleted
  verify STORE [--json]               check WAL, tiers and Berkeley DB; exit 1 on any problem
  stats STORE [--json]                counts, bytes and LSNs
  history STORE --kind node|edge --entity ID [--as-of-tx MICROS] [--as-of-valid MICROS]
                                      an entity's versions across both tiers
  policy validate FILE                check a policy file (JSON or TOML)
  policy show --preset NAME           print a preset policy as JSON

Options:
  --help       show this help
  --version    show the version

Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.
)";

} // namespace

int run(const QStringList& arguments)
{
    const QStringList args = arguments.mid(1);
    if (args.isEmpty() || args.first() == QLatin1String("--help") ||
        args.first() == QLatin1String("-h") || args.first() == QLatin1String("help")) {
        out() << kUsage;
        out().flush();
        return args.isEmpty() ? kExitUsage : kExitOk;
    }
    if (args.first() == QLatin1String("--version")) {
        out() << "frostline-cli " << FROSTLINE_VERSION << "\n";
        out().flush();
        return kExitOk;
    }
    err() << "frostline-cli: unknown command '" << args.first() << "' (see --help)\n";
    err().flush();
    return kExitUsage;
}

} // namespace frostline::cli

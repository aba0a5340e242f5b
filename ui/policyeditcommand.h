#pragma once

#include "migrationpolicy.h"

#include <QUndoCommand>

namespace frostline {

class PolicyEditorPage;

// One undoable edit of the policy editor: the whole policy before and after, so a field edit, a
// preset switch and a file load undo alike. Successive edits of one field within one editing
// session (typing "604800" keystroke by keystroke) merge into a single step.
class PolicyEditCommand : public QUndoCommand
{
public:
    // mergeKey: the field edited (-1: never merges); session: the page's editing session.
    PolicyEditCommand(PolicyEditorPage* page, MigrationPolicy before, MigrationPolicy after,
                      const QString& text, int mergeKey = -1, quint64 session = 0);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

    const MigrationPolicy& after() const { return m_after; }

private:
    PolicyEditorPage* m_page;
    MigrationPolicy m_before, m_after;
    int m_mergeKey;
    quint64 m_session;
};

} // namespace frostline

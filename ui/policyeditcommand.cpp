#include "policyeditcommand.h"

#include "policyeditorpage.h"

namespace frostline {

namespace {
// QUndoStack merges only commands with the same non-negative id; all our edits share one id and
// mergeWith() decides by field and session.
constexpr int kPolicyEditId = 0x46726f; // "Fro"
} // namespace

PolicyEditCommand::PolicyEditCommand(PolicyEditorPage* page, MigrationPolicy before,
                                     MigrationPolicy after, const QString& text, int mergeKey,
                                     quint64 session)
    : QUndoCommand(text), m_page(page), m_before(before), m_after(after), m_mergeKey(mergeKey),
      m_session(session)
{}

void PolicyEditCommand::undo()
{
    m_page->showPolicy(m_before);
}

void PolicyEditCommand::redo()
{
    m_page->showPolicy(m_after);
}

int PolicyEditCommand::id() const
{
    return m_mergeKey >= 0 ? kPolicyEditId : -1;
}

bool PolicyEditCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = static_cast<const PolicyEditCommand*>(other);
    if (next->m_mergeKey != m_mergeKey || next->m_session != m_session)
        return false;
    m_after = next->m_after;
    // An edit typed back to where it started is no step at all.
    if (m_after == m_before)
        setObsolete(true);
    return true;
}

} // namespace frostline

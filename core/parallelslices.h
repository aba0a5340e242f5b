#pragma once

#include <cstddef>
#include <functional>

namespace frostline {

// Runs work(slice) for slice = 0 .. slices-1, slice 0 on the calling thread and each other one on
// its own std::thread, and returns when all are done. For CPU-bound bulk decoding (recovery,
// checkpoint loading). Plain threads rather than QtConcurrent so that the hand-off is visible to
// ThreadSanitizer (Qt is not built with it) and so a caller already on a QThreadPool worker
// cannot starve the pool. work must not throw.
void runParallelSlices(std::size_t slices, const std::function<void(std::size_t slice)>& work);

// The slice count to use: one per core, at least 1.
std::size_t parallelSliceCount();

} // namespace frostline

#include "parallelslices.h"

#include <thread>
#include <vector>

namespace frostline {

void runParallelSlices(std::size_t slices, const std::function<void(std::size_t)>& work)
{
    std::vector<std::thread> helpers;
    helpers.reserve(slices > 0 ? slices - 1 : 0);
    for (std::size_t slice = 1; slice < slices; ++slice)
        helpers.emplace_back([&work, slice] { work(slice); });
    if (slices > 0)
        work(0);
    for (auto& t : helpers)
        t.join();
}

std::size_t parallelSliceCount()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

} // namespace frostline

// Runs a fuzz target without libFuzzer: feeds every file under the given directories (by
// default the target's seed corpus and its regressions/ directory, compiled in) to
// LLVMFuzzerTestOneInput once. The normal build links each target with this, so every
// build replays what the fuzzers were seeded with and every crash they ever found.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

const char *currentInput = "";

void reportCrash(int signal)
{
    // Only async-signal-safe calls here.
    const char prefix[] = "fuzz replay: crashed on ";
    (void)!write(STDERR_FILENO, prefix, sizeof prefix - 1);
    (void)!write(STDERR_FILENO, currentInput, std::strlen(currentInput));
    (void)!write(STDERR_FILENO, "\n", 1);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

std::vector<std::string> split(const std::string &text, char separator)
{
    std::vector<std::string> parts;
    std::string::size_type start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find(separator, start), text.size());
        if (end > start)
            parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

} // namespace

int main(int argc, char **argv)
{
    namespace fs = std::filesystem;
    std::vector<std::string> roots(argv + 1, argv + argc);
    if (roots.empty())
        roots = split(CALLBOARD_FUZZ_SEEDS, '|');

    std::vector<fs::path> inputs;
    for (const std::string &root : roots) {
        std::error_code error;
        if (fs::is_regular_file(root, error)) {
            inputs.emplace_back(root);
            continue;
        }
        if (!fs::is_directory(root, error))
            continue; // a target without regressions has no directory for them
        for (const auto &entry : fs::recursive_directory_iterator(root, error)) {
            if (entry.is_regular_file())
                inputs.push_back(entry.path());
        }
    }
    std::sort(inputs.begin(), inputs.end());

    for (int signal : {SIGILL, SIGSEGV, SIGABRT, SIGFPE, SIGBUS})
        std::signal(signal, reportCrash);
    for (const fs::path &input : inputs) {
        const std::string name = input.string();
        currentInput = name.c_str();
        std::ifstream file(input, std::ios::binary);
        const std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                                      std::istreambuf_iterator<char>());
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    }
    const std::string self = fs::path(argv[0]).filename().string();
    std::printf("%s: %zu inputs replayed\n", self.c_str(), inputs.size());
    if (inputs.empty()) {
        std::fprintf(stderr, "%s: no inputs found\n", self.c_str());
        return 1;
    }
    return 0;
}

#pragma once
// Files are written whole or not at all. The content goes to a temporary file beside the target
// (".<name>.tmp-<pid>-XXXXXX"), is flushed to disk (fsync), and is renamed over the target; a
// failure throws IoError and leaves the old file as it was.
//
// What the rename must not break:
//   - a symbolic link is followed: its final target is rewritten, the link stays a link;
//   - anything that is not a regular file (a directory, a device such as /dev/null or
//     /dev/full, a FIFO, a socket) is refused: a rename would replace it with a file;
//   - an existing file keeps its permission bits; a new one gets 0666 less the umask;
//   - SIGINT and SIGTERM during a write remove the temporary before the process ends (the
//     signal then takes its default action); a temporary left by a process that no longer
//     runs (SIGKILL, power loss) is removed by the next write to the same target.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cirrus {

void write_file_atomic(const std::string& path, std::string_view content);

// A folder of files written as a whole: the files go to a temporary folder beside `dir`, which
// then takes `dir`'s place in one step (renameat2's exchange), so a reader or a killed process
// sees the old folder or the new one, never a mix. A `dir` holding files other than `files`'
// names is not replaced (its other files are the user's): the files are then written one by
// one into it, each atomically. Throws IoError as write_file_atomic.
void write_folder_atomic(const std::string& dir,
                         const std::vector<std::pair<std::string, std::string>>& files);

// The path a write to `path` lands on: `path` with every symbolic link of its last component
// followed (at most 40, then IoError, as the kernel's ELOOP).
std::string write_target(const std::string& path);

}  // namespace cirrus

// Reading input files: plain or gzip (detected from the content, so a rotated `.gz` copy and a
// renamed plain file both read), line by line with large reads, no allocation per line. gzip
// is inflated with ISA-L's igzip (several times zlib's rate); concatenated members are read
// one after the other, as gzip -d does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::importer {

// A file's decompressed bytes. Not thread-safe.
class InputFile {
 public:
  // kNotFound for a missing file, kInvalidArgument for a directory or unreadable file.
  static Result<std::unique_ptr<InputFile>> Open(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  bool compressed() const { return compressed_; }
  int64_t compressed_size() const { return size_; }  // bytes on disk

  // Reads up to `n` decompressed bytes; 0 at the end. kDataLoss for a corrupt or truncated
  // gzip stream.
  Result<size_t> Read(char* buf, size_t n);
  // A gzip file only (a no-op otherwise): from the current offset on, a second thread inflates
  // ahead of Read (a few MiB at most), so decoding and whatever the reader does with the bytes
  // overlap. Rewind and the destructor stop it.
  void StartReadAhead();
  // Reads up to `n` bytes into `out` (replacing it); fewer only at the end.
  Status ReadPrefix(size_t n, std::string* out);
  // The decompressed offset of the next Read.
  int64_t offset() const { return offset_; }
  // Rewinds to offset 0.
  Status Rewind();
  // Stops the read-ahead and frees the decoder's buffers (a few MiB for a gzip file), for a
  // file that stays open after it was read; the next Read must follow a Rewind.
  void ReleaseBuffers();
  // Position on disk (compressed bytes consumed), for progress.
  int64_t disk_offset() const;

  // A plain file only (kFailedPrecondition for gzip): another InputFile reading the same open
  // file (a duplicated descriptor: the file this one opened, even if its path has been renamed
  // or replaced since), for another scanning thread.
  Result<std::unique_ptr<InputFile>> Duplicate() const;
  // A plain file only (kFailedPrecondition for gzip): the next Read starts at byte `begin`
  // and Reads return 0 once byte `end` is reached (reading with pread at this object's own
  // offset), so duplicates read disjoint parts with reused buffers, never mapping the file.
  Status Restrict(int64_t begin, int64_t end);
  // A plain file only: the offset of the first '\n' in [from, to), or -1 when there is none.
  // The file position is unchanged.
  Result<int64_t> FindNewline(int64_t from, int64_t to) const;
  // A plain file only: the offset of the last '\n' in [from, to), or -1.
  Result<int64_t> FindLastNewline(int64_t from, int64_t to) const;

 private:
  InputFile() = default;
  // Reads up to n bytes from the file itself (compressed bytes for a gzip file).
  Result<size_t> ReadRaw(unsigned char* buf, size_t n);
  Result<size_t> Inflate(char* buf, size_t n);
  void StopReadAhead();

  struct Inflater;   // ISA-L state, defined in input_file.cc
  struct ReadAhead;  // the inflating thread and its buffers, defined in input_file.cc
  std::string path_;
  int fd_ = -1;
  bool compressed_ = false;
  int64_t size_ = 0;
  int64_t offset_ = 0;                  // decompressed bytes returned so far
  std::atomic<int64_t> raw_offset_{0};  // file bytes read so far (read-ahead: by its thread)
  int64_t limit_ = -1;                  // Restrict's end, or -1
  std::unique_ptr<Inflater> inflater_;
  std::unique_ptr<ReadAhead> read_ahead_;
};

// Splits an InputFile into lines ('\n'-terminated; a trailing '\r' is kept for the parser).
class LineReader {
 public:
  static constexpr size_t kMaxLineBytes = 64 * 1024;

  explicit LineReader(InputFile* file, size_t buffer_bytes = 1 << 20);

  struct Line {
    std::string_view text;   // without '\n'; truncated to kMaxLineBytes when too_long
    bool too_long = false;   // the line exceeded kMaxLineBytes
    int64_t end_offset = 0;  // decompressed offset just past its '\n'
  };
  // Next complete line. false at the end or on error (see status()). An unterminated last
  // line is not returned: it waits for the file to grow.
  bool Next(Line* line);
  const Status& status() const { return status_; }
  // Bytes after the last complete line (the unterminated tail), known at the end.
  int64_t pending_bytes() const { return static_cast<int64_t>(end_ - begin_); }

 private:
  bool Fill();

  InputFile* file_;
  std::vector<char> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool skipping_ = false;   // inside an overlong line, discarding to its '\n'
  int64_t buf_offset_ = 0;  // decompressed offset of buf_[0]
  Status status_;
};

}  // namespace vigil::importer

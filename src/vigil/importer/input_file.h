// Reading input files: plain or gzip (detected from the content, so a rotated `.gz` copy and a
// renamed plain file both read), line by line with large reads, no allocation per line. gzip
// is inflated with ISA-L's igzip (several times zlib's rate); concatenated members are read
// one after the other, as gzip -d does.
#pragma once

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
  // Reads up to `n` bytes into `out` (replacing it); fewer only at the end.
  Status ReadPrefix(size_t n, std::string* out);
  // The decompressed offset of the next Read.
  int64_t offset() const { return offset_; }
  // Rewinds to offset 0.
  Status Rewind();
  // Position on disk (compressed bytes consumed), for progress.
  int64_t disk_offset() const;

 private:
  InputFile() = default;
  // Reads up to n bytes from the file itself (compressed bytes for a gzip file).
  Result<size_t> ReadRaw(unsigned char* buf, size_t n);
  Result<size_t> Inflate(char* buf, size_t n);

  struct Inflater;  // ISA-L state, defined in input_file.cc
  std::string path_;
  int fd_ = -1;
  bool compressed_ = false;
  int64_t size_ = 0;
  int64_t offset_ = 0;      // decompressed bytes returned so far
  int64_t raw_offset_ = 0;  // file bytes read so far
  std::unique_ptr<Inflater> inflater_;
};

// A plain (uncompressed) file mapped read-only, for the parallel scan. Pages the scan has
// passed can be released (Release), so a large log never counts against the process's memory
// as a whole. Not thread-safe except Release on disjoint ranges and data() reads.
class MappedFile {
 public:
  // Maps `size` bytes of `path` (the size seen when the import started; bytes appended later
  // wait for the next run). kInvalidArgument when it cannot be opened or mapped.
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path, int64_t size);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view data() const { return {static_cast<const char*>(base_), size_}; }
  // Drops the process's pages of the whole pages inside [offset, offset + len) (they stay in
  // the page cache). Reading them again is still valid (they fault back in).
  void Release(size_t offset, size_t len) const;

 private:
  MappedFile() = default;
  void* base_ = nullptr;
  size_t size_ = 0;
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

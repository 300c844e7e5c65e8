#include "vigil/importer/input_file.h"

#include <cstring>
#include <filesystem>
#include <zlib.h>

namespace vigil::importer {
namespace {

gzFile Gz(void* p) {
  return static_cast<gzFile>(p);
}

}  // namespace

Result<std::unique_ptr<InputFile>> InputFile::Open(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return NotFoundError(path + ": no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return InvalidArgumentError(path + ": is a directory");
  }
  std::unique_ptr<InputFile> f(new InputFile());
  f->path_ = path;
  f->size_ = std::filesystem::is_regular_file(status)
                 ? static_cast<int64_t>(std::filesystem::file_size(path, ec))
                 : 0;
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) {
    return InvalidArgumentError(path + ": cannot open: " + std::strerror(errno));
  }
  f->gz_ = gz;
  gzbuffer(gz, 1 << 18);
  // gzdirect() is only meaningful after the first read has looked at the header.
  char probe = 0;
  int n = gzread(gz, &probe, 0);
  (void)n;
  f->compressed_ = gzdirect(gz) == 0;
  return f;
}

InputFile::~InputFile() {
  if (gz_ != nullptr) {
    gzclose(Gz(gz_));
  }
}

Result<size_t> InputFile::Read(char* buf, size_t n) {
  int got = gzread(Gz(gz_), buf, static_cast<unsigned>(std::min<size_t>(n, 1u << 30)));
  if (got < 0) {
    int errnum = 0;
    const char* msg = gzerror(Gz(gz_), &errnum);
    return DataLossError(path_ + ": corrupt gzip data: " + (msg != nullptr ? msg : "unknown"));
  }
  if (got == 0) {
    int errnum = 0;
    const char* msg = gzerror(Gz(gz_), &errnum);
    if (errnum != Z_OK && errnum != Z_STREAM_END) {
      return DataLossError(
          path_ + ": truncated or corrupt gzip data: " + (msg != nullptr ? msg : "unknown"));
    }
  }
  offset_ += got;
  return static_cast<size_t>(got);
}

Status InputFile::ReadPrefix(size_t n, std::string* out) {
  out->resize(n);
  size_t have = 0;
  while (have < n) {
    VIGIL_ASSIGN_OR_RETURN(size_t got, Read(out->data() + have, n - have));
    if (got == 0) {
      break;
    }
    have += got;
  }
  out->resize(have);
  return OkStatus();
}

Status InputFile::Rewind() {
  if (gzrewind(Gz(gz_)) != 0) {
    return InternalError(path_ + ": cannot rewind");
  }
  offset_ = 0;
  return OkStatus();
}

int64_t InputFile::disk_offset() const {
  return gzoffset(Gz(gz_));
}

LineReader::LineReader(InputFile* file, size_t buffer_bytes)
    : file_(file), buf_(std::max(buffer_bytes, kMaxLineBytes * 2)), buf_offset_(file->offset()) {}

bool LineReader::Fill() {
  // Move the unconsumed tail to the front, then read after it.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    buf_offset_ += static_cast<int64_t>(begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) {
    return true;  // full: the caller handles an overlong line
  }
  Result<size_t> got = file_->Read(buf_.data() + end_, buf_.size() - end_);
  if (!got.ok()) {
    status_ = got.status();
    return false;
  }
  if (*got == 0) {
    eof_ = true;
    return false;
  }
  end_ += *got;
  return true;
}

bool LineReader::Next(Line* line) {
  for (;;) {
    const char* start = buf_.data() + begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (nl != nullptr) {
      size_t len = static_cast<size_t>(nl - start);
      bool was_skipping = skipping_;
      skipping_ = false;
      line->too_long = was_skipping || len > kMaxLineBytes;
      line->text = std::string_view(start, std::min(len, kMaxLineBytes));
      begin_ += len + 1;
      line->end_offset = buf_offset_ + static_cast<int64_t>(begin_);
      return true;
    }
    if (end_ - begin_ > kMaxLineBytes) {
      // An overlong line: keep its first kMaxLineBytes for the report and drop the rest up
      // to its newline. Bytes read later sit `dropped` further into the file than their
      // place in the buffer says, which the base offset absorbs.
      skipping_ = true;
      const size_t dropped = end_ - (begin_ + kMaxLineBytes);
      end_ -= dropped;
      buf_offset_ += static_cast<int64_t>(dropped);
    }
    if (eof_ || !status_.ok()) {
      return false;
    }
    if (!Fill() && (eof_ || !status_.ok())) {
      // One last scan happens on the next loop only if Fill added bytes; it did not.
      return false;
    }
  }
}

}  // namespace vigil::importer

#include "vigil/importer/input_file.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <isa-l/igzip_lib.h>

namespace vigil::importer {

namespace {

// pread that retries on EINTR; kDataLoss on an error.
Result<size_t> PreadSome(int fd, const std::string& path, char* buf, size_t n, int64_t at) {
  for (;;) {
    const ssize_t got = ::pread(fd, buf, n, at);
    if (got >= 0) {
      return static_cast<size_t>(got);
    }
    if (errno != EINTR) {
      return DataLossError(path + ": read failed: " + std::strerror(errno));
    }
  }
}

constexpr size_t kSearchWindow = size_t{64} << 10;

}  // namespace

// The gzip stream being inflated: ISA-L's state and the compressed bytes read ahead.
struct InputFile::Inflater {
  inflate_state state;
  std::vector<unsigned char> in = std::vector<unsigned char>(size_t{1} << 18);
  bool member_done = false;  // the last member ended; more may follow
  bool eof = false;          // no more stream (end of file or trailing non-gzip bytes)
  void Reset() {
    isal_inflate_init(&state);
    state.crc_flag = ISAL_GZIP;
    member_done = false;
  }
};

// The read-ahead of a gzip file: the thread inflates into free buffers and queues them; Read
// takes them in order and gives them back once copied out.
struct InputFile::ReadAhead {
  static constexpr size_t kBuffers = 4;
  static constexpr size_t kBufferBytes = size_t{1} << 20;
  struct Block {
    std::vector<char> bytes = std::vector<char>(kBufferBytes);
    size_t size = 0;  // 0: the end of the stream
    Status status;
  };
  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::unique_ptr<Block>> filled, free;
  std::unique_ptr<Block> current;  // the block Read copies from
  size_t used = 0;                 // bytes of `current` already returned
  bool stop = false;
  std::thread thread;
};

void InputFile::StartReadAhead() {
  if (!compressed_ || read_ahead_ != nullptr) {
    return;
  }
  read_ahead_ = std::make_unique<ReadAhead>();
  ReadAhead& ra = *read_ahead_;
  for (size_t i = 0; i < ReadAhead::kBuffers; ++i) {
    ra.free.push_back(std::make_unique<ReadAhead::Block>());
  }
  ra.thread = std::thread([this, &ra] {
    for (;;) {
      std::unique_ptr<ReadAhead::Block> block;
      {
        std::unique_lock lock(ra.mu);
        ra.changed.wait(lock, [&] { return ra.stop || !ra.free.empty(); });
        if (ra.stop) {
          return;
        }
        block = std::move(ra.free.front());
        ra.free.pop_front();
      }
      Result<size_t> got = Inflate(block->bytes.data(), block->bytes.size());
      block->size = got.ok() ? *got : 0;
      block->status = got.status();
      const bool last = !got.ok() || *got == 0;
      {
        std::lock_guard lock(ra.mu);
        ra.filled.push_back(std::move(block));
      }
      ra.changed.notify_all();
      if (last) {
        return;
      }
    }
  });
}

void InputFile::StopReadAhead() {
  if (read_ahead_ == nullptr) {
    return;
  }
  {
    std::lock_guard lock(read_ahead_->mu);
    read_ahead_->stop = true;
  }
  read_ahead_->changed.notify_all();
  read_ahead_->thread.join();
  read_ahead_.reset();
}

void InputFile::ReleaseBuffers() {
  StopReadAhead();
  inflater_.reset();
}

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
  f->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd_ < 0) {
    return InvalidArgumentError(path + ": cannot open: " + std::strerror(errno));
  }
  VIGIL_RETURN_IF_ERROR(f->Rewind());
  return f;
}

InputFile::~InputFile() {
  StopReadAhead();
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Result<size_t> InputFile::ReadRaw(unsigned char* buf, size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) {
      raw_offset_ += got;
      return static_cast<size_t>(got);
    }
    if (errno != EINTR) {
      return DataLossError(path_ + ": read failed: " + std::strerror(errno));
    }
  }
}

Result<size_t> InputFile::Inflate(char* buf, size_t n) {
  if (inflater_ == nullptr) {
    return FailedPreconditionError(path_ + ": read after its buffers were released (rewind first)");
  }
  Inflater& z = *inflater_;
  size_t produced = 0;
  while (produced < n && !z.eof) {
    if (z.state.avail_in == 0) {
      VIGIL_ASSIGN_OR_RETURN(size_t got, ReadRaw(z.in.data(), z.in.size()));
      if (got == 0) {
        if (!z.member_done) {
          return DataLossError(path_ + ": truncated gzip data: the stream ends inside a member");
        }
        z.eof = true;
        break;
      }
      z.state.next_in = z.in.data();
      z.state.avail_in = static_cast<uint32_t>(got);
    }
    if (z.member_done) {
      // Another member follows only if the next bytes are a gzip header; anything else is
      // trailing garbage, ignored as gzip -d and zlib do.
      if (z.state.avail_in < 2) {
        std::memmove(z.in.data(), z.state.next_in, z.state.avail_in);
        z.state.next_in = z.in.data();
        VIGIL_ASSIGN_OR_RETURN(
            size_t more, ReadRaw(z.in.data() + z.state.avail_in, z.in.size() - z.state.avail_in));
        z.state.avail_in += static_cast<uint32_t>(more);
      }
      if (z.state.avail_in < 2 || z.state.next_in[0] != 0x1f || z.state.next_in[1] != 0x8b) {
        z.eof = true;
        break;
      }
      unsigned char* next = z.state.next_in;
      const uint32_t avail = z.state.avail_in;
      z.Reset();
      z.state.next_in = next;
      z.state.avail_in = avail;
    }
    z.state.next_out = reinterpret_cast<unsigned char*>(buf + produced);
    z.state.avail_out = static_cast<uint32_t>(std::min<size_t>(n - produced, 1u << 30));
    const uint32_t before = z.state.avail_out;
    const int rc = isal_inflate(&z.state);
    produced += before - z.state.avail_out;
    if (rc < 0) {
      return DataLossError(path_ + ": corrupt gzip data near compressed byte " +
                           std::to_string(raw_offset_ - z.state.avail_in) + " (ISA-L error " +
                           std::to_string(rc) + ")");
    }
    if (z.state.block_state == ISAL_BLOCK_FINISH) {
      z.member_done = true;
    }
  }
  return produced;
}

Result<size_t> InputFile::Read(char* buf, size_t n) {
  size_t got = 0;
  if (read_ahead_ != nullptr) {
    ReadAhead& ra = *read_ahead_;
    if (ra.current == nullptr || ra.used == ra.current->size) {
      std::unique_lock lock(ra.mu);
      if (ra.current != nullptr) {
        if (ra.current->size == 0) {
          return ra.current->status.ok() ? Result<size_t>(size_t{0}) : ra.current->status;
        }
        ra.free.push_back(std::move(ra.current));
        ra.changed.notify_all();
      }
      ra.changed.wait(lock, [&] { return !ra.filled.empty(); });
      ra.current = std::move(ra.filled.front());
      ra.filled.pop_front();
      ra.used = 0;
      if (ra.current->size == 0) {
        return ra.current->status.ok() ? Result<size_t>(size_t{0}) : ra.current->status;
      }
    }
    got = std::min(n, ra.current->size - ra.used);
    std::memcpy(buf, ra.current->bytes.data() + ra.used, got);
    ra.used += got;
  } else if (compressed_) {
    VIGIL_ASSIGN_OR_RETURN(got, Inflate(buf, n));
  } else {
    if (limit_ >= 0) {
      // A range: pread at our own offset, so duplicated descriptors share nothing.
      n = static_cast<size_t>(std::clamp<int64_t>(limit_ - offset_, 0, static_cast<int64_t>(n)));
      VIGIL_ASSIGN_OR_RETURN(got, PreadSome(fd_, path_, buf, n, offset_));
      raw_offset_ += static_cast<int64_t>(got);
    } else {
      VIGIL_ASSIGN_OR_RETURN(got, ReadRaw(reinterpret_cast<unsigned char*>(buf), n));
    }
  }
  offset_ += static_cast<int64_t>(got);
  return got;
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
  StopReadAhead();
  if (::lseek(fd_, 0, SEEK_SET) < 0) {
    return InternalError(path_ + ": cannot rewind: " + std::strerror(errno));
  }
  offset_ = 0;
  raw_offset_ = 0;
  limit_ = -1;
  // gzip is recognised by its magic bytes, whatever the file's name.
  unsigned char magic[2] = {0, 0};
  VIGIL_ASSIGN_OR_RETURN(size_t got, ReadRaw(magic, 2));
  compressed_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (::lseek(fd_, 0, SEEK_SET) < 0) {
    return InternalError(path_ + ": cannot rewind: " + std::strerror(errno));
  }
  raw_offset_ = 0;
  if (compressed_) {
    if (inflater_ == nullptr) {
      inflater_ = std::make_unique<Inflater>();
    }
    inflater_->Reset();
    inflater_->eof = false;
    inflater_->state.avail_in = 0;
  }
  return OkStatus();
}

int64_t InputFile::disk_offset() const {
  return raw_offset_;
}

Result<std::unique_ptr<InputFile>> InputFile::Duplicate() const {
  if (compressed_) {
    return FailedPreconditionError(path_ + ": a gzip file cannot be read from an offset");
  }
  std::unique_ptr<InputFile> f(new InputFile());
  f->path_ = path_;
  f->size_ = size_;
  f->fd_ = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (f->fd_ < 0) {
    return InternalError(path_ + ": cannot duplicate its descriptor: " + std::strerror(errno));
  }
  return f;
}

Status InputFile::Restrict(int64_t begin, int64_t end) {
  if (compressed_) {
    return FailedPreconditionError(path_ + ": a gzip file cannot be read from an offset");
  }
  offset_ = begin;
  raw_offset_ = begin;
  limit_ = end;
  return OkStatus();
}

Result<int64_t> InputFile::FindNewline(int64_t from, int64_t to) const {
  if (compressed_) {
    return FailedPreconditionError(path_ + ": a gzip file cannot be searched by offset");
  }
  std::vector<char> window(kSearchWindow);
  while (from < to) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(to - from, std::ssize(window)));
    VIGIL_ASSIGN_OR_RETURN(size_t got, PreadSome(fd_, path_, window.data(), want, from));
    if (got == 0) {
      break;
    }
    if (const void* nl = std::memchr(window.data(), '\n', got); nl != nullptr) {
      return from + (static_cast<const char*>(nl) - window.data());
    }
    from += static_cast<int64_t>(got);
  }
  return -1;
}

Result<int64_t> InputFile::FindLastNewline(int64_t from, int64_t to) const {
  if (compressed_) {
    return FailedPreconditionError(path_ + ": a gzip file cannot be searched by offset");
  }
  std::vector<char> window(kSearchWindow);
  while (to > from) {
    const int64_t at = std::max<int64_t>(from, to - std::ssize(window));
    const size_t want = static_cast<size_t>(to - at);
    size_t have = 0;
    while (have < want) {
      VIGIL_ASSIGN_OR_RETURN(size_t got,
                             PreadSome(fd_, path_, window.data() + have, want - have, at + have));
      if (got == 0) {
        return DataLossError(path_ + ": the file shrank while it was read");
      }
      have += got;
    }
    for (size_t i = want; i > 0; --i) {
      if (window[i - 1] == '\n') {
        return at + static_cast<int64_t>(i - 1);
      }
    }
    to = at;
  }
  return -1;
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

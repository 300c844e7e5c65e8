// InputFile below the importer: ranges of a plain file read through their own descriptor, the
// newline searches that cut a file into chunks, and the gzip read-ahead thread.
#include "vigil/importer/input_file.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gzip_util.h"
#include "test_util.h"

namespace vigil::importer {
namespace {

void WritePlain(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Every byte of `file` through Read calls of `chunk` bytes (an odd size, so reads straddle the
// read-ahead's 1 MiB blocks).
Result<std::string> ReadAll(InputFile* file, size_t chunk = 7777) {
  std::string out;
  std::string buf(chunk, '\0');
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(size_t got, file->Read(buf.data(), buf.size()));
    if (got == 0) {
      return out;
    }
    out.append(buf, 0, got);
  }
}

// 3 MiB of numbered lines: distinct bytes everywhere, so any misplaced block shows.
std::string Lines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += "line " + std::to_string(i) + " of the read-ahead test, padded to look like a log\n";
  }
  return s;
}

// `text` gzip'ed into dir/a.gz, opened.
Result<std::unique_ptr<InputFile>> OpenGzipOf(const testing::TempDir& dir,
                                              const std::string& text) {
  testing::WriteGzip(dir.File("a.gz"), text);
  return InputFile::Open(dir.File("a.gz"));
}

TEST(InputFileTest, ReadAheadGivesTheSameBytesAcrossMembersAndBlocks) {
  testing::TempDir dir;
  const std::string a = Lines(30'000), b = Lines(20'000);
  testing::WriteGzip(dir.File("a.gz"), a);
  testing::WriteGzip(dir.File("b.gz"), b);
  std::ifstream ia(dir.File("a.gz"), std::ios::binary), ib(dir.File("b.gz"), std::ios::binary);
  std::string both((std::istreambuf_iterator<char>(ia)), std::istreambuf_iterator<char>());
  both.append((std::istreambuf_iterator<char>(ib)), std::istreambuf_iterator<char>());
  WritePlain(dir.File("both.gz"), both);

  auto file = InputFile::Open(dir.File("both.gz"));
  ASSERT_OK(file);
  ASSERT_TRUE((*file)->compressed());
  (*file)->StartReadAhead();
  auto read = ReadAll(file->get());
  ASSERT_OK(read);
  EXPECT_EQ(read->size(), a.size() + b.size());
  EXPECT_TRUE(*read == a + b);
  EXPECT_EQ((*file)->offset(), static_cast<int64_t>(a.size() + b.size()));
  EXPECT_EQ((*file)->disk_offset(), static_cast<int64_t>(both.size()));
  // At the end, Read keeps returning 0.
  char c;
  auto again = (*file)->Read(&c, 1);
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0u);
}

// The read-ahead may start mid-file (when a core comes free): it goes on from where Read is.
TEST(InputFileTest, ReadAheadStartedMidFileGoesOnFromThere) {
  testing::TempDir dir;
  const std::string text = Lines(40'000);
  auto file = OpenGzipOf(dir, text);
  ASSERT_OK(file);
  std::string head(1'234'567, '\0');
  size_t have = 0;
  while (have < head.size()) {
    auto got = (*file)->Read(head.data() + have, head.size() - have);
    ASSERT_OK(got);
    ASSERT_GT(*got, 0u);
    have += *got;
  }
  (*file)->StartReadAhead();
  auto rest = ReadAll(file->get());
  ASSERT_OK(rest);
  EXPECT_TRUE(head + *rest == text);
}

// A file kept open in a group gives its decoder's buffers back mid-read; after a Rewind it
// reads in full again, with or without the read-ahead.
TEST(InputFileTest, ReleasedBuffersComeBackWithRewind) {
  testing::TempDir dir;
  const std::string text = Lines(30'000);
  auto file = OpenGzipOf(dir, text);
  ASSERT_OK(file);
  (*file)->StartReadAhead();
  std::string head(50'000, '\0');
  ASSERT_OK((*file)->Read(head.data(), head.size()));
  (*file)->ReleaseBuffers();
  EXPECT_TRUE((*file)->compressed());
  ASSERT_OK((*file)->Rewind());
  auto plain = ReadAll(file->get());
  ASSERT_OK(plain);
  EXPECT_TRUE(*plain == text);
  (*file)->ReleaseBuffers();
  ASSERT_OK((*file)->Rewind());
  (*file)->StartReadAhead();
  auto ahead = ReadAll(file->get());
  ASSERT_OK(ahead);
  EXPECT_TRUE(*ahead == text);
}

TEST(InputFileTest, RewindStopsTheReadAheadAndStartsOver) {
  testing::TempDir dir;
  const std::string text = Lines(40'000);
  auto file = OpenGzipOf(dir, text);
  ASSERT_OK(file);
  (*file)->StartReadAhead();
  std::string head(100'000, '\0');
  auto got = (*file)->Read(head.data(), head.size());
  ASSERT_OK(got);
  ASSERT_GT(*got, 0u);
  EXPECT_EQ(head.substr(0, *got), text.substr(0, *got));
  ASSERT_OK((*file)->Rewind());
  EXPECT_EQ((*file)->offset(), 0);
  (*file)->StartReadAhead();
  auto all = ReadAll(file->get(), 65536);
  ASSERT_OK(all);
  EXPECT_TRUE(*all == text);
}

TEST(InputFileTest, ReadAheadReportsDamageAfterTheGoodBytes) {
  testing::TempDir dir;
  const std::string text = Lines(60'000);  // ~4.3 MB: several read-ahead blocks
  testing::WriteGzip(dir.File("a.gz"), text);
  std::ifstream in(dir.File("a.gz"), std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WritePlain(dir.File("cut.gz"), gz.substr(0, gz.size() / 2));
  auto file = InputFile::Open(dir.File("cut.gz"));
  ASSERT_OK(file);
  (*file)->StartReadAhead();
  std::string buf(1 << 16, '\0');
  size_t total = 0;
  Status st;
  for (;;) {
    Result<size_t> got = (*file)->Read(buf.data(), buf.size());
    if (!got.ok()) {
      st = got.status();
      break;
    }
    ASSERT_GT(*got, 0u) << "a truncated stream must not end like a complete one";
    EXPECT_EQ(buf.substr(0, *got), text.substr(total, *got));
    total += *got;
  }
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  EXPECT_NE(std::string(st.message()).find("cut.gz"), std::string::npos) << st.ToString();
  EXPECT_GT(total, 0u);
  EXPECT_LT(total, text.size());
}

TEST(InputFileTest, RestrictReadsOneRangeOfAPlainFile) {
  testing::TempDir dir;
  const std::string text = Lines(5'000);
  WritePlain(dir.File("a.log"), text);
  auto file = InputFile::Open(dir.File("a.log"));
  ASSERT_OK(file);
  ASSERT_OK((*file)->Restrict(1000, 250'000));
  EXPECT_EQ((*file)->offset(), 1000);
  auto part = ReadAll(file->get());
  ASSERT_OK(part);
  EXPECT_TRUE(*part == text.substr(1000, 249'000));
  EXPECT_EQ((*file)->offset(), 250'000);
  // Another range of the same descriptor.
  ASSERT_OK((*file)->Restrict(0, 10));
  auto head = ReadAll(file->get());
  ASSERT_OK(head);
  EXPECT_EQ(*head, text.substr(0, 10));

  testing::WriteGzip(dir.File("a.gz"), text);
  auto gz = InputFile::Open(dir.File("a.gz"));
  ASSERT_OK(gz);
  EXPECT_EQ((*gz)->Restrict(0, 10).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*gz)->FindNewline(0, 10).status().code(), StatusCode::kFailedPrecondition);
}

// A scanning thread's duplicate reads the file the import opened, even once logrotate has
// moved it away and a new file has taken its path.
TEST(InputFileTest, DuplicateReadsTheOpenedFileNotTheNewOneAtItsPath) {
  testing::TempDir dir;
  const std::string text = Lines(2'000);
  WritePlain(dir.File("access.log"), text);
  auto file = InputFile::Open(dir.File("access.log"));
  ASSERT_OK(file);
  std::filesystem::rename(dir.File("access.log"), dir.File("access.log.1"));
  WritePlain(dir.File("access.log"), "a new, short file\n");
  auto copy = (*file)->Duplicate();
  ASSERT_OK(copy);
  ASSERT_OK((*copy)->Restrict(0, static_cast<int64_t>(text.size())));
  auto all = ReadAll(copy->get());
  ASSERT_OK(all);
  EXPECT_TRUE(*all == text);
  // The original's own position is its own.
  char c;
  auto got = (*file)->Read(&c, 1);
  ASSERT_OK(got);
  EXPECT_EQ(c, 'l');
}

// The searches read 64 KiB windows: newlines before, on and after a window's edge.
TEST(InputFileTest, NewlineSearchesCrossTheirWindows) {
  testing::TempDir dir;
  std::string text(300'000, 'x');
  text[70'000] = '\n';
  text[131'071] = '\n';  // the last byte of the second window searched from 65'536
  text[200'000] = '\n';
  WritePlain(dir.File("a.log"), text);
  auto file = InputFile::Open(dir.File("a.log"));
  ASSERT_OK(file);
  const auto size = static_cast<int64_t>(text.size());
  auto find = [&](int64_t from, int64_t to) {
    Result<int64_t> r = (*file)->FindNewline(from, to);
    EXPECT_OK(r);
    return r.ok() ? *r : -2;
  };
  auto find_last = [&](int64_t from, int64_t to) {
    Result<int64_t> r = (*file)->FindLastNewline(from, to);
    EXPECT_OK(r);
    return r.ok() ? *r : -2;
  };
  EXPECT_EQ(find(0, size), 70'000);
  EXPECT_EQ(find(70'000, size), 70'000);
  EXPECT_EQ(find(70'001, size), 131'071);
  EXPECT_EQ(find(65'536, size), 70'000);
  EXPECT_EQ(find(131'072, size), 200'000);
  EXPECT_EQ(find(200'001, size), -1);
  EXPECT_EQ(find(0, 70'000), -1);  // `to` is exclusive
  EXPECT_EQ(find_last(0, size), 200'000);
  EXPECT_EQ(find_last(0, 200'000), 131'071);
  EXPECT_EQ(find_last(0, 131'071), 70'000);
  EXPECT_EQ(find_last(70'001, 131'071), -1);
  EXPECT_EQ(find_last(200'001, size), -1);
  // The position of Read is untouched by the searches.
  EXPECT_EQ((*file)->offset(), 0);
  char c;
  auto got = (*file)->Read(&c, 1);
  ASSERT_OK(got);
  EXPECT_EQ(c, 'x');
}

}  // namespace
}  // namespace vigil::importer

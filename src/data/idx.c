/*
 * dataset_idx.c - the IDX loader (the MNIST file format: a big-endian
 * header of magic and dimensions, then unsigned bytes), plain or gzip.
 *
 * zlib's gzread reads plain files transparently, so both go through it.
 * Every size in a header is checked before anything is allocated: against
 * the file size for plain files, and against the most a gzip file of that
 * size can expand to for compressed ones, whose length is unknown up front.
 *
 * The pixels of a gzip file are first tried in one piece with libdeflate,
 * about twice as fast as zlib's stream; any file that is not exactly what
 * its header announces goes on through the stream, which says what is wrong.
 */
#include "dataset_private.h"
#include "gradtop/core/sysmem.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IDX_TYPE_UBYTE 0x08
#define IDX_IMAGE_DIMS 3
#define IDX_LABEL_DIMS 1
/* Deflate emits at least about 2 bits for a 258-byte match, so no stream
 * expands more than 1032 times (zlib's FAQ, "maximum compression ratio"). */
#define GZIP_MAX_RATIO 1032u
#define READ_CHUNK (1u << 20)

typedef struct {
    const char *path;
    gzFile gz;
    int fd; /* gz's descriptor, also read with pread by idx_inflate_whole */
    bool compressed;
    uint64_t size; /* bytes on disk */
} IdxFile;

static ErrorCode idx_open(IdxFile *f, const char *path, Error *err)
{
    f->path = path;
    f->gz = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, error_code_of_open(errno), "%s: can't open: %s", path,
                         strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return error_set(err, ERROR_INPUT, "%s: can't open: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return error_set(err, ERROR_INPUT, "%s: is a directory, not a data file", path);
    }
    unsigned char magic[2] = {0, 0};
    f->compressed = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    f->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    f->gz = gzdopen(fd, "rb");
    if (!f->gz) {
        close(fd);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory", path);
    }
    f->fd = fd;
    gzbuffer(f->gz, 128 * 1024);
    return ERROR_NONE;
}

static void idx_close(IdxFile *f)
{
    if (f->gz) gzclose(f->gz);
    f->gz = NULL;
}

/* Reads up to n bytes; *got says how many came.  Corrupt gzip data is an
 * error; a gzip stream that simply ends early is a short read. */
static ErrorCode idx_read(IdxFile *f, void *buf, size_t n, size_t *got, Error *err)
{
    *got = 0;
    while (*got < n) {
        size_t want = n - *got;
        if (want > READ_CHUNK) want = READ_CHUNK;
        int r = gzread(f->gz, (unsigned char *)buf + *got, (unsigned)want);
        if (r < 0) {
            int errnum;
            const char *msg = gzerror(f->gz, &errnum);
            if (errnum == Z_BUF_ERROR) break; /* "unexpected end of file" */
            /* zlib names a gzdopen'ed file "<fd:N>: "; the path is ours to give. */
            const char *colon = strncmp(msg, "<fd:", 4) == 0 ? strstr(msg, ": ") : NULL;
            if (colon) msg = colon + 2;
            if (errnum == Z_ERRNO)
                return error_set(err, ERROR_RUNTIME, "%s: read error: %s", f->path,
                                 strerror(errno));
            return error_set(err, ERROR_INPUT, "%s: corrupt gzip data: %s", f->path, msg);
        }
        if (r == 0) break;
        *got += (size_t)r;
    }
    return ERROR_NONE;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads and checks the magic number and the ndims dimensions. */
static ErrorCode idx_header(IdxFile *f, int ndims, uint32_t *dims, Error *err)
{
    unsigned char h[4 + 4 * IDX_IMAGE_DIMS];
    size_t got;
    ErrorCode code = idx_read(f, h, 4, &got, err);
    if (code) return code;
    if (got < 4)
        return error_set(err, ERROR_INPUT, "%s: truncated: %zu bytes, too short for an IDX header",
                         f->path, got);
    if (h[0] != 0 || h[1] != 0)
        return error_set(err, ERROR_INPUT,
                         "%s: not an IDX file (it starts with %02x %02x %02x %02x, not 00 00)",
                         f->path, h[0], h[1], h[2], h[3]);
    if (h[2] != IDX_TYPE_UBYTE)
        return error_set(
            err, ERROR_INPUT,
            "%s: unsupported IDX data type 0x%02x; only unsigned bytes (0x08) are read", f->path,
            h[2]);
    if (h[3] != ndims) {
        if (ndims == IDX_IMAGE_DIMS && h[3] == IDX_LABEL_DIMS)
            return error_set(err, ERROR_INPUT,
                             "%s: this is an IDX labels file (1 dimension), not images: give the "
                             "images file (...-images-idx3-ubyte) as the dataset; its labels are "
                             "found beside it, or given with --labels",
                             f->path);
        return error_set(err, ERROR_INPUT,
                         "%s: expected an IDX %s file with %d dimension%s, this one has %d",
                         f->path, ndims == IDX_IMAGE_DIMS ? "images" : "labels", ndims,
                         ndims == 1 ? "" : "s", h[3]);
    }
    code = idx_read(f, h + 4, 4 * (size_t)ndims, &got, err);
    if (code) return code;
    if (got < 4 * (size_t)ndims)
        return error_set(err, ERROR_INPUT, "%s: truncated in the IDX header", f->path);
    for (int i = 0; i < ndims; i++) dims[i] = be32(h + 4 + 4 * i);
    return ERROR_NONE;
}

/* Checks that a file can hold data_bytes after its header_bytes. */
static ErrorCode idx_check_size(const IdxFile *f, uint64_t header_bytes, uint64_t data_bytes,
                                const char *what, Error *err)
{
    if (!f->compressed && f->size) {
        uint64_t have = f->size - header_bytes;
        if (f->size < header_bytes + data_bytes)
            return error_set(err, ERROR_INPUT,
                             "%s: truncated: the header announces %s (%llu bytes) but only %llu "
                             "bytes follow it",
                             f->path, what, (unsigned long long)data_bytes,
                             (unsigned long long)have);
        if (f->size > header_bytes + data_bytes)
            return error_set(err, ERROR_INPUT,
                             "%s: %llu bytes of unexpected data after the %s the header announces",
                             f->path, (unsigned long long)(have - data_bytes), what);
    }
    if (f->compressed && f->size && data_bytes / GZIP_MAX_RATIO > f->size)
        return error_set(err, ERROR_INPUT,
                         "%s: the header announces %s (%llu bytes), more than a gzip file of "
                         "%llu bytes can hold: a corrupt header",
                         f->path, what, (unsigned long long)data_bytes,
                         (unsigned long long)f->size);
    return ERROR_NONE;
}

/* After the data: nothing may follow (and for gzip, reading on makes zlib
 * check the stream's CRC). */
static ErrorCode idx_check_end(IdxFile *f, const char *what, Error *err)
{
    unsigned char extra;
    size_t got;
    ErrorCode code = idx_read(f, &extra, 1, &got, err);
    if (code) return code;
    if (got)
        return error_set(err, ERROR_INPUT, "%s: unexpected data after the %s the header announces",
                         f->path, what);
    return ERROR_NONE;
}

/* Decompresses a regular gzip file in one libdeflate call (which checks
 * the CRC and length; zlib has already read the gzip header and checked
 * its CRC, which libdeflate skips): the file is read into the start of
 * space[0..cap) and its content lands in the last want bytes.  False when
 * the two do not fit side by side, when the file is anything but a single
 * member holding exactly want bytes, or when memory is short: the zlib
 * stream then reads on from the end of the IDX header and says what is
 * wrong, as it always has. */
static bool idx_inflate_whole(const IdxFile *f, unsigned char *space, size_t cap, size_t want)
{
    if (!f->compressed || f->size == 0 || f->size > cap || want > cap - f->size) return false;
    size_t size = (size_t)f->size, got = 0;
    struct libdeflate_decompressor *dec = libdeflate_alloc_decompressor();
    bool ok = dec != NULL;
    while (ok && got < size) {
        ssize_t r = pread(f->fd, space + got, size - got, (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            ok = false; /* the file changed under us: zlib says how */
        else
            got += (size_t)r;
    }
    size_t used = 0, made = 0;
    ok = ok &&
         libdeflate_gzip_decompress_ex(dec, space, size, space + cap - want, want, &used, &made) ==
             LIBDEFLATE_SUCCESS &&
         used == size && made == want;
    if (dec) libdeflate_free_decompressor(dec);
    return ok;
}

/* A label is its class index, so that a file missing a class keeps its
 * sibling's indices; but classes with no image are then only plausible as
 * a few gaps.  When most of the classes 0..max_label would have no image
 * (a stray 255 among digits, 3 images labelled up to 9), the labels are
 * not what they seem: refused, naming the largest label and where it
 * first comes.  A CSV label column never makes an empty class (its
 * classes are the values it holds), so it needs no such check. */
static ErrorCode idx_check_classes(const char *path, const bool present[256], int max_label,
                                   uint64_t max_at, Error *err)
{
    int n_classes = max_label + 1, used = 0;
    for (int c = 0; c < n_classes; c++) used += present[c];
    if (2 * used >= n_classes) return ERROR_NONE;
    /* The labels that occur, as ranges: "0-9, 255". */
    char list[160] = "";
    size_t len = 0;
    for (int c = 0; c < n_classes && len < sizeof list; c++) {
        if (!present[c] || (c > 0 && present[c - 1])) continue;
        int end = c;
        while (end + 1 < n_classes && present[end + 1]) end++;
        char one[32];
        if (end == c)
            snprintf(one, sizeof one, "%d", c);
        else
            snprintf(one, sizeof one, "%d%s%d", c, end == c + 1 ? ", " : "-", end);
        if (len + strlen(one) + 8 >= sizeof list) {
            snprintf(list + len, sizeof list - len, ", ...");
            break;
        }
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", one);
    }
    return error_set(err, ERROR_INPUT,
                     "%s: label %llu (byte %llu) is %d; an IDX label is its class index, so "
                     "that makes %d classes, %d of them without an image (the labels are %s): "
                     "a corrupt or foreign labels file, or one to renumber from 0",
                     path, (unsigned long long)max_at + 1,
                     (unsigned long long)(4 + 4 * IDX_LABEL_DIMS + max_at), max_label, n_classes,
                     n_classes - used, list);
}

/* The labels file beside an images file, by the usual MNIST naming; tries
 * with and without ".gz" when the first guess does not exist. */
static bool labels_beside(const char *images, char *out, size_t cap)
{
    static const char *const from[] = {"images-idx3-ubyte", "images.idx3-ubyte"};
    static const char *const to[] = {"labels-idx1-ubyte", "labels.idx1-ubyte"};
    const char *slash = strrchr(images, '/');
    const char *base = slash ? slash + 1 : images;
    if (strlen(images) + 4 >= cap) return false;
    for (int i = 0; i < 2; i++) {
        const char *hit = strstr(base, from[i]);
        if (!hit) continue;
        strcpy(out, images);
        memcpy(out + (hit - images), to[i], strlen(to[i]));
        if (access(out, F_OK) == 0) return true;
        size_t len = strlen(out);
        if (len > 3 && strcmp(out + len - 3, ".gz") == 0) {
            out[len - 3] = '\0';
            if (access(out, F_OK) == 0) return true;
            out[len - 3] = '.';
        } else {
            strcat(out, ".gz");
            if (access(out, F_OK) == 0) return true;
            out[len] = '\0';
        }
        return true; /* the first guess; opening it reports what is missing */
    }
    return false;
}

static ErrorCode load_idx(Dataset *ds, const char *images_path, const char *labels_path,
                          IdxFile *img, IdxFile *lab, Error *err)
{
    /* The images file's header first: a labels file given in its place is
     * told as such, not taken for images whose labels can't be found. */
    uint32_t dims[IDX_IMAGE_DIMS] = {0}, ldims[1] = {0};
    ErrorCode code = idx_open(img, images_path, err);
    if (!code) code = idx_header(img, IDX_IMAGE_DIMS, dims, err);
    if (code) return code;

    char guessed[1024];
    bool derived = !labels_path;
    if (derived) {
        if (!labels_beside(images_path, guessed, sizeof guessed))
            return error_set(err, ERROR_INPUT,
                             "%s: can't tell where its labels are: the file name should contain "
                             "'images-idx3-ubyte'; or give the labels file (--labels)",
                             images_path);
        labels_path = guessed;
    }
    uint64_t n = dims[0], rows = dims[1], cols = dims[2], d = rows * cols;
    if (n == 0)
        return error_set(err, ERROR_INPUT, "%s: the header announces no images", images_path);
    if (rows == 0 || cols == 0 || d > DATASET_MAX_FEATURES)
        return error_set(err, ERROR_INPUT,
                         "%s: images of %llux%llu pixels; gradtop takes 1 to %d pixels per image",
                         images_path, (unsigned long long)rows, (unsigned long long)cols,
                         DATASET_MAX_FEATURES);
    if (n > INT_MAX)
        return error_set(err, ERROR_INPUT, "%s: %llu images, more than the %d gradtop takes",
                         images_path, (unsigned long long)n, INT_MAX);
    char what[128];
    snprintf(what, sizeof what, "%llu images of %llux%llu", (unsigned long long)n,
             (unsigned long long)rows, (unsigned long long)cols);
    const size_t header_bytes = 4 + 4 * IDX_IMAGE_DIMS;
    code = idx_check_size(img, header_bytes, n * d, what, err);
    if (code) return code;

    code = idx_open(lab, labels_path, err);
    if (code && derived && err) {
        static const char hint[] = " (the labels for the images file; or give them with --labels)";
        size_t used = strlen(err->msg);
        if (used + sizeof hint <= sizeof err->msg) memcpy(err->msg + used, hint, sizeof hint);
    }
    if (!code) code = idx_header(lab, IDX_LABEL_DIMS, ldims, err);
    if (code) return code;
    if (ldims[0] != n)
        return error_set(err, ERROR_INPUT, "%s: %u labels, but %s has %llu images", labels_path,
                         ldims[0], images_path, (unsigned long long)n);
    char what_labels[64];
    snprintf(what_labels, sizeof what_labels, "%llu labels", (unsigned long long)n);
    code = idx_check_size(lab, 4 + 4 * IDX_LABEL_DIMS, n, what_labels, err);
    if (code) return code;

    double need = (double)n * (double)d * sizeof(float);
    char images[PATH_MAX + 96];
    snprintf(images, sizeof images, "the float copy of %s (%llu images of %llu pixels)",
             images_path, (unsigned long long)n, (unsigned long long)d);
    if (n * d > SIZE_MAX / sizeof(float))
        return error_set(err, ERROR_RUNTIME, "out of memory: %s needs %.1f GB", images, need / 1e9);
    code = sysmem_check(need, images, NULL, err);
    if (code) return code;
    ds->x = malloc((size_t)(n * d) * sizeof *ds->x);
    sysmem_hugepages(ds->x, (size_t)(n * d) * sizeof *ds->x);
    ds->labels = malloc((size_t)n * sizeof *ds->labels);
    unsigned char *buf = malloc(READ_CHUNK);
    if (!ds->x || !ds->labels || !buf) {
        free(buf);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory for %s", images_path, what);
    }

    /* A gzip file is decompressed in one piece with the float buffer as
     * scratch space (the file at its start, the header and pixels at its
     * end), then converted front to back through buf: the floats written,
     * 4 bytes per pixel, never reach the pixels not yet read, which start
     * 3 * total bytes further on. */
    uint64_t total = n * d, done = 0;
    size_t space = (size_t)total * sizeof *ds->x;
    const unsigned char *pixels = (const unsigned char *)ds->x + space - total;
    bool in_one_piece =
        idx_inflate_whole(img, (unsigned char *)ds->x, space, header_bytes + (size_t)total);
    while (in_one_piece && done < total) {
        size_t k = total - done < READ_CHUNK ? (size_t)(total - done) : READ_CHUNK;
        memcpy(buf, pixels + done, k);
        for (size_t i = 0; i < k; i++) ds->x[done + i] = buf[i];
        done += k;
    }
    while (done < total && !code) {
        size_t want = total - done < READ_CHUNK ? (size_t)(total - done) : READ_CHUNK, got;
        code = idx_read(img, buf, want, &got, err);
        for (size_t i = 0; i < got; i++) ds->x[done + i] = buf[i];
        done += got;
        if (!code && got < want)
            code = error_set(err, ERROR_INPUT,
                             "%s: truncated: the header announces %s, but the data ends in image "
                             "%llu (byte %llu of %llu)",
                             images_path, what, (unsigned long long)(done / d + 1),
                             (unsigned long long)done, (unsigned long long)total);
    }
    if (!in_one_piece && !code) code = idx_check_end(img, what, err);
    int max_label = 0;
    uint64_t max_at = 0; /* where the largest label first comes */
    bool present[256] = {false};
    for (uint64_t done_l = 0; done_l < n && !code;) {
        size_t want = n - done_l < READ_CHUNK ? (size_t)(n - done_l) : READ_CHUNK, got;
        code = idx_read(lab, buf, want, &got, err);
        for (size_t i = 0; i < got; i++) {
            ds->labels[done_l + i] = buf[i];
            present[buf[i]] = true;
            if (buf[i] > max_label) {
                max_label = buf[i];
                max_at = done_l + i;
            }
        }
        done_l += got;
        if (!code && got < want)
            code = error_set(err, ERROR_INPUT,
                             "%s: truncated: the header announces %llu labels, the data ends "
                             "after %llu",
                             labels_path, (unsigned long long)n, (unsigned long long)done_l);
    }
    free(buf);
    if (!code) code = idx_check_end(lab, what_labels, err);
    if (!code) code = idx_check_classes(labels_path, present, max_label, max_at, err);
    if (code) return code;

    ds->n = (size_t)n;
    ds->d = (int)d;
    ds->task = TASK_CLASSIFICATION;
    ds->n_classes = max_label + 1;
    ds->class_names = dataset_numbered_names(ds->n_classes, "");
    ds->feature_names = dataset_numbered_names(ds->d, "px");
    if (!ds->class_names || !ds->feature_names)
        return error_set(err, ERROR_RUNTIME, "%s: out of memory", images_path);
    snprintf(ds->label_name, sizeof ds->label_name, "label");
    ds->label_column = -1;
    return ERROR_NONE;
}

ErrorCode dataset_load_idx(Dataset *ds, const char *images_path, const char *labels_path,
                           Error *err)
{
    char name[128];
    dataset_name_from_path(name, sizeof name, images_path);
    dataset_init_owned(ds, images_path, name, DATASET_KIND_IDX);
    IdxFile img = {0}, lab = {0};
    ErrorCode code = load_idx(ds, images_path, labels_path, &img, &lab, err);
    idx_close(&img);
    idx_close(&lab);
    if (code) {
        dataset_free(ds);
        return code;
    }
    error_clear(err);
    return ERROR_NONE;
}

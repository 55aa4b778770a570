/*
 * tfevents.h - TensorBoard event files: a writer of scalar summaries and
 * HParams plugin data, and a reader that survives any input.
 *
 * Format.  An event file is a sequence of TFRecords
 * (tensorflow/core/lib/io/record_writer.cc):
 *
 *     uint64 length (little-endian)
 *     uint32 masked_crc32c(the 8 length bytes)
 *     byte   data[length]
 *     uint32 masked_crc32c(data)
 *
 * with the masking of crc32c.h.  Each record's data is a serialized
 * tensorboard.Event protobuf (tensorboard/compat/proto/event.proto), encoded
 * here by hand following https://protobuf.dev/programming-guides/encoding/:
 * a key varint (field_number << 3 | wire_type), then a varint (wire type 0),
 * 8 little-endian bytes (1), a varint length and bytes (2) or 4
 * little-endian bytes (5).  The fields used:
 *
 *     Event          { double wall_time = 1; int64 step = 2;
 *                      string file_version = 3; Summary summary = 5;
 *                      SessionLog session_log = 6;
 *                      SourceMetadata source_metadata = 10; }
 *     SourceMetadata { string writer = 1; }
 *     SessionLog     { SessionStatus status = 1; }  (START 1)
 *     Summary        { repeated Value value = 1; }
 *     Summary.Value  { string tag = 1; float simple_value = 2;
 *                      TensorProto tensor = 8; SummaryMetadata metadata = 9; }
 *     SummaryMetadata{ PluginData plugin_data = 1; }
 *     PluginData     { string plugin_name = 1; bytes content = 2; }
 *     TensorProto    { DataType dtype = 1; TensorShapeProto tensor_shape = 2;
 *                      bytes tensor_content = 4; repeated float float_val = 5;
 *                      repeated double double_val = 6;
 *                      repeated int32 half_val = 13; }
 *
 * The first record is an Event with file_version "brain.Event:2" and, as
 * TensorFlow's own writer does, the source_metadata naming the writer
 * (which event.proto says is written in that event only): how a reader
 * tells whose steps these are.
 *
 * HParams.  The HParams dashboard reads Summary values tagged
 * "_hparams_/experiment", "_hparams_/session_start_info" and
 * "_hparams_/session_end_info" whose metadata.plugin_data has plugin_name
 * "hparams" and content a serialized HParamsPluginData
 * (tensorboard/plugins/hparams/plugin_data.proto and api.proto):
 *
 *     HParamsPluginData { int32 version = 1; oneof data {
 *                         Experiment experiment = 2;
 *                         SessionStartInfo session_start_info = 3;
 *                         SessionEndInfo session_end_info = 4; } }
 *     Experiment        { string description = 1; string user = 2;
 *                         double time_created_secs = 3;
 *                         repeated HParamInfo hparam_infos = 4;
 *                         repeated MetricInfo metric_infos = 5; string name = 6; }
 *     HParamInfo        { string name = 1; string display_name = 2;
 *                         string description = 3; DataType type = 4;
 *                         oneof domain { google.protobuf.ListValue
 *                         domain_discrete = 5; Interval domain_interval = 6; }
 *                         bool differs = 7; }
 *                       (DATA_TYPE_STRING 1, DATA_TYPE_BOOL 2, DATA_TYPE_FLOAT64 3)
 *     google.protobuf.ListValue { repeated Value values = 1; }
 *     MetricInfo        { MetricName name = 1; string display_name = 3;
 *                         string description = 4; DatasetType dataset_type = 5; }
 *     MetricName        { string group = 1; string tag = 2; }
 *     SessionStartInfo  { map<string, google.protobuf.Value> hparams = 1;
 *                         string model_uri = 2; string monitor_url = 3;
 *                         string group_name = 4; double start_time_secs = 5; }
 *     SessionEndInfo    { Status status = 1; double end_time_secs = 2; }
 *                       (STATUS_UNKNOWN 0, SUCCESS 1, FAILURE 2, RUNNING 3)
 *     google.protobuf.Value { double number_value = 2; string string_value = 3;
 *                             bool bool_value = 4; }
 *     map entry         { key = 1; value = 2; }
 *
 * Like PyTorch's SummaryWriter.add_hparams, those values carry no tensor.
 *
 * Ownership and threads: a TfeWriter owns its FILE and is used by one
 * thread at a time (the trainer's, through runlog); a TfeReader likewise.
 * Neither prints.
 */
#ifndef GRADTOP_TFEVENTS_H
#define GRADTOP_TFEVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/core/error.h"

/* The longest record the reader accepts; longer lengths are corruption. */
#define TFEVENTS_MAX_RECORD (16u << 20)
/* Tags longer than this are skipped by the reader (counted as warnings). */
#define TFEVENTS_MAX_TAG 256

/* ---- writer ---------------------------------------------------------- */

typedef struct TfeWriter TfeWriter;

/* Creates DIR/events.out.tfevents.TIMESTAMP.HOSTNAME (TIMESTAMP the whole
 * seconds of wall_time) and writes the file_version record, naming writer
 * in its source_metadata (NULL or "": none).  ERROR_RUNTIME naming the
 * file when it cannot be created. */
ErrorCode tfevents_open(TfeWriter **out, const char *dir, double wall_time, const char *writer,
                        Error *err);
/* The file's path. */
const char *tfevents_path(const TfeWriter *w);

/* Appends one Event with a single simple_value scalar. */
ErrorCode tfevents_write_scalar(TfeWriter *w, const char *tag, int64_t step, float value,
                                double wall_time, Error *err);
/* Appends a record whose data is data[0..n) (an already encoded Event). */
ErrorCode tfevents_write_record(TfeWriter *w, const void *data, size_t n, Error *err);

typedef enum { TFE_HPARAM_NUMBER, TFE_HPARAM_STRING, TFE_HPARAM_BOOL } TfeHParamType;

/* One hyperparameter and its value (strings borrowed).  The experiment
 * takes name, type, differs and domain; a session start name and value. */
typedef struct {
    const char *name;
    TfeHParamType type;
    double number;
    const char *string;
    bool boolean;
    /* its value differs among the runs compared (TensorBoard lists such
     * hyperparameters first) */
    bool differs;
    /* a string's every possible value, NULL-terminated; NULL when they are
     * not known (the HParams tab filters a session out whose value is not
     * in the domain, so a partial one would hide runs) */
    const char *const *domain;
} TfeHParam;

/* Status of SessionEndInfo (api.proto's Status enum). */
typedef enum {
    TFE_STATUS_UNKNOWN = 0,
    TFE_STATUS_SUCCESS = 1,
    TFE_STATUS_FAILURE = 2,
    TFE_STATUS_RUNNING = 3,
} TfeSessionStatus;

/* api.proto's DatasetType: what part of the data a metric is computed on. */
typedef enum {
    TFE_DATASET_UNKNOWN = 0,
    TFE_DATASET_TRAINING = 1,
    TFE_DATASET_VALIDATION = 2,
} TfeDatasetType;

/* A metric of the experiment: a scalar tag of the run (group ""), whose
 * value in the HParams tab is the tag's latest scalar in the run. */
typedef struct {
    const char *tag;
    TfeDatasetType dataset;
} TfeMetric;

/* "_hparams_/experiment": the hyperparameters' names and types and the
 * run's metrics. */
ErrorCode tfevents_write_hparams_experiment(TfeWriter *w, const TfeHParam *hp, int n_hp,
                                            const TfeMetric *metrics, int n_metrics,
                                            double wall_time, Error *err);
/* "_hparams_/session_start_info": the values of this run. */
ErrorCode tfevents_write_hparams_start(TfeWriter *w, const TfeHParam *hp, int n_hp,
                                       const char *model_uri, double wall_time, Error *err);
/* An Event { step; SessionLog session_log = 6 { status = 1 START } }:
 * the session started again at step, from a checkpoint.  TensorBoard drops
 * what it has read of the run at step and after (event_accumulator.py,
 * _CheckForRestartAndMaybePurge: data a crash left beyond the checkpoint). */
ErrorCode tfevents_write_restart(TfeWriter *w, int64_t step, double wall_time, Error *err);
/* "_hparams_/session_end_info". */
ErrorCode tfevents_write_hparams_end(TfeWriter *w, TfeSessionStatus status, double wall_time,
                                     Error *err);

/* fflush and fsync: what is written so far is on disk as whole records
 * (without the fsync after tfevents_set_sync(w, false): with the kernel,
 * which a crash of the process does not lose). */
ErrorCode tfevents_flush(TfeWriter *w, Error *err);
/* Whether tfevents_flush fsyncs (it does from tfevents_open on): false
 * when the owner makes the file system durable at its own fixed points. */
void tfevents_set_sync(TfeWriter *w, bool sync);
/* Flushes, closes and frees (w may be NULL).  Returns the first error the
 * writer met, if any. */
ErrorCode tfevents_close(TfeWriter *w, Error *err);

/* Encoders, exposed for tests: like snprintf they return the bytes needed
 * and write at most cap bytes to buf (which may be NULL when cap is 0). */
size_t tfevents_encode_file_version(uint8_t *buf, size_t cap, double wall_time, const char *writer);
size_t tfevents_encode_scalar(uint8_t *buf, size_t cap, const char *tag, int64_t step, float value,
                              double wall_time);
/* The 12-byte record header for a record of length n, and the 4-byte
 * footer for data. */
void tfevents_frame_header(uint8_t out[12], uint64_t n);
void tfevents_frame_footer(uint8_t out[4], const void *data, size_t n);

/* ---- reader ---------------------------------------------------------- */

/* One scalar found in an event file. */
typedef struct {
    char tag[TFEVENTS_MAX_TAG];
    int64_t step;
    double wall_time;
    double value;
} TfeScalar;

typedef struct TfeReader TfeReader;

/* Opens an event file for reading (ERROR_INPUT naming it when it cannot). */
ErrorCode tfevents_reader_open(TfeReader **out, const char *path, Error *err);
/* Reads from a memory buffer (borrowed; must outlive the reader). */
ErrorCode tfevents_reader_open_mem(TfeReader **out, const void *data, size_t n, Error *err);

/*
 * Fills *s with the next scalar (simple_value, or a float/double/half
 * tensor of one element) and returns true; returns false at the end of the
 * readable data.  Records whose data CRC fails or whose protobuf is
 * malformed are skipped and counted; a bad length CRC or an impossible
 * length stops the reader for good (the framing cannot be trusted past
 * it).  An incomplete record at the end of a file is not consumed: when the
 * file grows (a writer still running), a later call resumes from it.
 */
bool tfevents_reader_next(TfeReader *r, TfeScalar *s);
/* Records skipped or stopped at so far, plus 1 while the data ends inside
 * a record. */
size_t tfevents_reader_warnings(const TfeReader *r);
/* Whether a record was skipped or stopped at so far (a record the data
 * ends inside is not), and where the first of them starts into *at. */
bool tfevents_reader_first_damage(const TfeReader *r, uint64_t *at);
/* Whole records read so far (including the file_version record). */
size_t tfevents_reader_records(const TfeReader *r);
/* The writer the source_metadata of an event read so far names (the
 * first event's, as event.proto has it), or "" when none has: unknown. */
const char *tfevents_reader_writer(const TfeReader *r);
/* The base name of the model_uri of the HParams session start read so far
 * ("model.gtm" for gradtop's), or "" when none has named one.  gradtop's
 * event files from before they named their writer are told by it. */
const char *tfevents_reader_model_file(const TfeReader *r);
/* Byte offset of the next unread record. */
uint64_t tfevents_reader_offset(const TfeReader *r);
void tfevents_reader_close(TfeReader *r);

/*
 * Cuts the event file at path back to step max_step (train --resume from a
 * checkpoint of that epoch): the file is truncated before the first record
 * whose step is greater, before the session's end (the first record with
 * a value whose tag begins with end_prefix, unless it is NULL, or an
 * HParams session end: a session that goes on has not ended, and
 * TensorBoard would keep the first end it reads), or before a damaged or
 * incomplete tail.  *kept: scalars left in the file; *removed: whole
 * records cut away.  ERROR_RUNTIME naming the file when it cannot be read
 * or truncated.
 */
ErrorCode tfevents_cut(const char *path, int64_t max_step, const char *end_prefix, size_t *kept,
                       size_t *removed, Error *err);

#endif

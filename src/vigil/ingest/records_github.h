// GitHub adapter: releases, deployments (+ deployment statuses) and issues as saved from
// GitHub's REST API (`gh api --paginate`, curl pages) or as webhook bodies, into model records
// (source "github"). User reference: docs/adapters-github-alertmanager.md. Pure; thread-safe.
//
// Input: every file of one invocation at once, in any order. Each file is a JSON array (one
// page of a list endpoint) or a single object: a release, a deployment, a deployment status, an
// issue, or a webhook body (`{"action": …, "release"|"deployment"|"issue": {…}}`, with
// `deployment_status` and `repository` when present). Each element is routed by its members:
//   release           `tag_name`
//   issue             `number` and `title`, with `state`, `labels`, `repository_url`,
//                     `html_url`, `node_id` or `pull_request` (pull requests and issues whose
//                     mapped `is_bug` is false are skipped, counted in `skipped`)
//   deployment status `deployment_url`
//   deployment        `sha`, `commit_sha`, `statuses_url`, or `ref` with `created_at`
//   deployment status `state` with `created_at` (and none of the above)
// (GitHub's member names, so vigil's native NDJSON records are not taken for GitHub's.)
// Elements of the same kind and GitHub `id` are merged: the one with the later `updated_at`
// wins, else the one from the later file (or later in the same file). A deployment's statuses
// are the union of those embedded (`statuses`, a webhook's `deployment_status`) and those in
// status files, whose deployment is found from `deployment_url` (…/deployments/<id>), else
// from the file name (`<id>.json`, `<id>-p<N>.json`), else from `--parent`
// (GithubOptions::deployments.parent); a status with none of these is rejected ("orphan").
// Statuses of a deployment not among the files go to ParsedRecords::detached_statuses.
// Draft releases are skipped. Records come out sorted by GitHub id (numerically), so the result
// does not depend on the order of the files.
//
// Rejections (one RecordIssue each, `json_path` like "[3].created_at"): a file that is not
// JSON or holds no element of a known shape ("bad_json", "unknown_shape", the whole file); an
// element of unknown shape ("unknown_shape"); no `id` ("missing_field"); a required field that
// maps to nothing (deployments: id, service, environment, version, deployed_at; releases:
// service, version; defects: id, found_at) ("missing_field"); a time that is not RFC 3339
// ("bad_time"); a defect resolved before it was found ("resolved_before_found").
#pragma once

#include <span>
#include <string_view>

#include "vigil/core/status.h"
#include "vigil/ingest/record_adapter.h"
#include "vigil/ingest/record_input.h"
#include "vigil/model/records.h"

namespace vigil::ingest {

struct GithubOptions {
  AdapterOptions deployments;  // its `parent` is the deployment of status files
  AdapterOptions releases;
  AdapterOptions defects;
};

// The built-in mapping rules (the body of a `mappings.github.<kind>` block) for kDeployment,
// kRelease and kDefect; "" for the kinds GitHub does not produce.
std::string_view GithubDefaultMappings(model::RecordKind kind);

// Whether `data` is JSON whose first element (of an array, or the object itself) has one of the
// shapes above. An empty array is not recognised (it could be any tool's empty page).
bool LooksLikeGithubExport(std::string_view data);

// Parses all files of one invocation (see the top of this file). Errors only for a mapping that
// does not compile (the user's block, kInvalidArgument); bad input is reported in the result.
Result<ParsedRecords> ParseGithubExports(std::span<const RecordFile> files,
                                         const GithubOptions& options);

}  // namespace vigil::ingest

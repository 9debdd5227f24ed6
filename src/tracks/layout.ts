import { readdirSync } from "node:fs";
import { join } from "node:path";
import { GafferError } from "../errors.ts";
import { readAgentFile } from "../util/index.ts";
import { readCommittedFile } from "../workspace/index.ts";
import { parseMetadata, type TrackMetadata } from "./metadata.ts";
import { parsePlan, type Plan } from "./plan.ts";
import { parseRegistry } from "./registry.ts";
import { decodeUtf8 } from "./text-lines.ts";

/** The biggest Conductor file gaffer reads: a 614-line spec is some 40 KiB. */
const MAX_TRACK_FILE_BYTES = 4 * 1024 * 1024;

/** A file of the project by its path relative to the root: the working tree's, or a commit's. */
export type ProjectFileReader = (path: string) => Promise<Buffer | undefined>;

/** A Conductor track: `<conductor>/tracks/<id>/` (or `archive/<id>/` once archived). */
export interface Track {
  id: string;
  /** Its directory, relative to the project root. */
  dir: string;
  archived: boolean;
  /** metadata.json's string fields; empty when there is none. */
  metadata: TrackMetadata;
  /** plan.md, parsed; undefined when the track has none. */
  plan: Plan | undefined;
  /** What tracks.md, metadata.json or the id say the track is. */
  description: string;
}

/** The files of a track, relative to the project root. */
export function trackFiles(dir: string) {
  return {
    index: `${dir}/index.md`,
    spec: `${dir}/spec.md`,
    plan: `${dir}/plan.md`,
    metadata: `${dir}/metadata.json`,
    state: `${dir}/state.toml`,
  };
}

const TRACK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Refuses an id that could not name a directory and a branch (`tier2/<id>`). */
export function checkTrackId(id: string): string {
  if (TRACK_ID.test(id) && !id.includes("..") && !id.endsWith(".lock")) return id;
  throw new GafferError(
    "usage",
    `"${id}" is not a track id`,
    "a track id is the name of its directory under conductor/tracks/, e.g. auth_20260616",
  );
}

/** Reads one track through `read`, from `tracks/<id>/` or else `archive/<id>/`; undefined when neither has it. */
export async function readTrack(
  read: ProjectFileReader,
  conductor: string,
  id: string,
  description?: string,
): Promise<Track | undefined> {
  checkTrackId(id);
  for (const archived of [false, true]) {
    const dir = `${conductor}/${archived ? "archive" : "tracks"}/${id}`;
    const files = trackFiles(dir);
    const [planData, metadataData, indexData] = await Promise.all([
      read(files.plan),
      read(files.metadata),
      read(files.index),
    ]);
    if (!planData && !metadataData && !indexData) continue;
    const metadata = metadataData
      ? parseMetadata(decodeUtf8(metadataData, files.metadata), files.metadata)
      : {};
    return {
      id,
      dir,
      archived,
      metadata,
      plan: planData ? parsePlan(decodeUtf8(planData, files.plan)) : undefined,
      description: description ?? metadata.description ?? id,
    };
  }
  return undefined;
}

/** Every track of the working tree: the directories under tracks/ and archive/, described by tracks.md. */
export async function listTracks(root: string, conductor: string): Promise<Track[]> {
  const read = workingTreeReader(root);
  const registryData = await read(`${conductor}/tracks.md`);
  const registry = registryData ? parseRegistry(decodeUtf8(registryData, `${conductor}/tracks.md`)) : [];
  const described = new Map(registry.flatMap((entry) => (entry.id ? [[entry.id, entry.description]] : [])));
  const ids = new Set([
    ...directories(join(root, conductor, "tracks")),
    ...directories(join(root, conductor, "archive")),
  ]);
  const tracks: Track[] = [];
  for (const id of [...ids].sort()) {
    const track = await readTrack(read, conductor, id, described.get(id));
    if (track) tracks.push(track);
  }
  return tracks;
}

/** Reads the working tree's files as a user's files may be: no symlink followed, size capped. */
export function workingTreeReader(root: string): ProjectFileReader {
  return async (path) => {
    const read = readAgentFile(join(root, path), { maxBytes: MAX_TRACK_FILE_BYTES, within: root });
    if (read.ok) return read.data;
    if (read.reason === "missing") return undefined;
    throw new GafferError(
      "invalid-input",
      `${path} is ${read.reason === "too-big" ? "too big" : `not a regular file (${read.reason})`}`,
      "Conductor's files are regular text files in the repository",
    );
  };
}

function directories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && TRACK_ID.test(entry.name))
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** Reads files as `commit` holds them, through the project's repository: never a symlink, size capped. */
export function commitReader(root: string, commit: string): ProjectFileReader {
  return async (path) => {
    const read = await readCommittedFile(root, commit, path, MAX_TRACK_FILE_BYTES);
    if (read.ok) return read.data;
    if (read.reason === "missing") return undefined;
    throw new GafferError(
      "invalid-input",
      `${path} at ${commit.slice(0, 7)} is ${read.reason === "too-big" ? "too big" : "not a regular file"}`,
      "Conductor's files are regular text files in the repository",
    );
  };
}

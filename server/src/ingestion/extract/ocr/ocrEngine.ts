import { createRequire } from 'node:module';
import path from 'node:path';
import Tesseract from 'tesseract.js';
import { isBlank, rotateImage } from './prepareForOcr.js';

// One Tesseract worker per extraction process, created on the first OCR request
// and reused for every page and image after it: starting a worker (loading the
// WebAssembly core and the English model) costs more than reading a page. The
// model comes from @tesseract.js-data/eng on disk; caching is off so nothing is
// written to, or fetched from, anywhere else.

const require = createRequire(import.meta.url);
const englishModelDir = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');

// Below this mean word confidence the text may be sideways: Tesseract's own
// orientation detection needs the OSD model, which is not shipped offline, so we
// try the other three orientations and keep a clearly better reading.
const confidentReading = 70;
const betterByAtLeast = 10;

export interface OcrReading {
  text: string;
  /** Tesseract's mean word confidence, 0-100. */
  confidence: number;
  /** Clockwise rotation applied to get this reading. */
  rotation: 0 | 90 | 180 | 270;
}

let scheduler: Promise<Tesseract.Scheduler> | undefined;

async function startScheduler(workers: number): Promise<Tesseract.Scheduler> {
  const created = Tesseract.createScheduler();
  for (let i = 0; i < workers; i++) {
    const worker = await Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
      langPath: englishModelDir,
      gzip: true,
      cacheMethod: 'none',
    });
    created.addWorker(worker);
  }
  return created;
}

function ocrScheduler(): Promise<Tesseract.Scheduler> {
  scheduler ??= startScheduler(1).catch((error: unknown) => {
    scheduler = undefined;
    throw error;
  });
  return scheduler;
}

async function recognise(image: Buffer, rotation: OcrReading['rotation']): Promise<OcrReading> {
  const input = rotation === 0 ? image : await rotateImage(image, rotation);
  const { data } = await (await ocrScheduler()).addJob('recognize', input);
  return { text: data.text.trim(), confidence: data.confidence, rotation };
}

/** Reads the text of an image prepared by prepareForOcr, righting it if it is sideways or upside down. */
export async function readImageText(image: Buffer): Promise<OcrReading> {
  if (await isBlank(image)) return { text: '', confidence: 0, rotation: 0 };
  const upright = await recognise(image, 0);
  // Sideways text reads as confident-looking garbage, not as nothing: an empty
  // reading is a blank image and turning it will not help.
  if (upright.confidence >= confidentReading || upright.text === '') return upright;
  let best = upright;
  for (const rotation of [90, 270, 180] as const) {
    const reading = await recognise(image, rotation);
    if (reading.confidence > best.confidence) best = reading;
  }
  return best.confidence >= upright.confidence + betterByAtLeast ? best : upright;
}

export async function shutdownOcr(): Promise<void> {
  const running = scheduler;
  scheduler = undefined;
  if (running) await (await running).terminate();
}

// The microphone: getUserMedia into an AudioWorklet that hands over PCM
// samples, kept while recording and written as a 16-bit mono WAV file
// (the format every part of vmcoach reads; MediaRecorder's Opus is not).

const FLOOR_DB = -60;

export class Recorder {
  // onBlock(levelDb, recordedSeconds) after every block of samples.
  constructor(onBlock) {
    this.onBlock = onBlock;
    this.chunks = [];
    this.frames = 0;
    this.recording = false;
  }

  // Opens the microphone; what it hears is measured but not kept until start().
  async open() {
    this.context = new AudioContext();
    await this.context.audioWorklet.addModule("/assets/tap-worklet.js");
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const source = this.context.createMediaStreamSource(this.stream);
    const tap = new AudioWorkletNode(this.context, "vmcoach-tap");
    const mute = this.context.createGain();
    mute.gain.value = 0;
    source.connect(tap).connect(mute).connect(this.context.destination);
    tap.port.onmessage = (e) => this.take(e.data);
    await this.context.resume();
    return this.stream.getAudioTracks()[0]?.label || "the microphone";
  }

  start() {
    this.chunks = [];
    this.frames = 0;
    this.recording = true;
  }

  take(block) {
    if (this.recording) {
      this.chunks.push(block);
      this.frames += block.length;
    }
    this.onBlock(levelDb(block), this.seconds());
  }

  seconds() {
    return this.context ? this.frames / this.context.sampleRate : 0;
  }

  // Stops and closes the microphone; the take as a WAV blob (null if empty).
  async stop() {
    this.recording = false;
    const rate = this.context ? this.context.sampleRate : 48000;
    this.close();
    return this.frames ? encodeWav(this.chunks, this.frames, rate) : null;
  }

  close() {
    this.recording = false;
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    if (this.context && this.context.state !== "closed") this.context.close();
    this.stream = null;
  }
}

function levelDb(block) {
  let sum = 0;
  for (const s of block) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, block.length));
  return rms > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(rms)) : FLOOR_DB;
}

// Float samples as a 16-bit PCM mono WAV file.
export function encodeWav(chunks, frames, rate) {
  const buffer = new ArrayBuffer(44 + frames * 2);
  const view = new DataView(buffer);
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + frames * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, frames * 2, true);
  let at = 44;
  for (const chunk of chunks) {
    for (const s of chunk) {
      view.setInt16(at, Math.round(Math.max(-1, Math.min(1, s)) * 32767), true);
      at += 2;
    }
  }
  return new Blob([buffer], { type: "audio/wav" });
}

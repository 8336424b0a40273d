import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { isUnexpected, UNEXPECTED_ERROR_MESSAGE, userMessage } from '../../../adapters/shared/error-messages.ts';
import { NO_IMAGE_MESSAGE } from '../../../src/conversation/conversation-manager.ts';

describe('error → user message', () => {
  it('says "slow down" for the per-user limit and "busy" for a full queue', () => {
    expect(userMessage(new GlanceError(ErrorCode.RateLimited, 'you already have a request in progress; wait for it to finish'))).toBe(
      'Slow down a little: you already have a request in progress; wait for it to finish.',
    );
    expect(userMessage(new GlanceError(ErrorCode.Busy, 'glance is busy (64 requests waiting); try again in a moment'))).toBe('glance is busy right now; try again in a moment.');
  });

  it('keeps the specific message of image problems and of NO_IMAGE', () => {
    expect(userMessage(new GlanceError(ErrorCode.ImageTooLarge, 'The image is 30 MB; glance reads images up to 25 MB. Post a smaller version of it.'))).toBe('The image is 30 MB; glance reads images up to 25 MB. Post a smaller version of it.');
    expect(userMessage(new GlanceError(ErrorCode.ImageEmpty, 'the file is empty'))).toBe('The file is empty.');
    expect(userMessage(new GlanceError(ErrorCode.NoImage, NO_IMAGE_MESSAGE))).toBe(NO_IMAGE_MESSAGE);
  });

  it('maps the deadline, shutdown and crash codes to readable text, and hides unexpected errors', () => {
    expect(userMessage(new GlanceError(ErrorCode.DeadlineExceeded, 'the request did not finish within 60000 ms'))).toMatch(/took too long/);
    expect(userMessage(new GlanceError(ErrorCode.Aborted, 'x'))).toMatch(/try again/);
    expect(userMessage(new GlanceError(ErrorCode.EngineCrashed, 'x'))).toMatch(/try again/);
    expect(userMessage(new GlanceError(ErrorCode.RuntimeFailure, 'onnx: tensor shape [1,2] secret internals'))).toBe(UNEXPECTED_ERROR_MESSAGE);
    expect(userMessage(new TypeError('x is undefined'))).toBe(UNEXPECTED_ERROR_MESSAGE);
    expect(isUnexpected(new TypeError('x'))).toBe(true);
    expect(isUnexpected(new GlanceError(ErrorCode.Busy, 'x'))).toBe(false);
  });
});

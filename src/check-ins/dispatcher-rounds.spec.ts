import { ROUND_FLOOR, roundSize } from './dispatcher.service';

describe('roundSize: how many check-ins a dispatcher round claims', () => {
  it('keeps every send slot busy for several turns: 8 sends per slot', () => {
    expect(roundSize(500, 8)).toBe(64);
    expect(roundSize(500, 16)).toBe(128);
  });

  it('is never below the floor when the batch allows it, so a round’s two transactions are shared by enough sends', () => {
    expect(roundSize(500, 1)).toBe(ROUND_FLOOR);
    expect(roundSize(500, 2)).toBe(ROUND_FLOOR);
    expect(roundSize(50, 8)).toBe(50);
  });

  it('never claims more than the tick’s batch, and at least one', () => {
    expect(roundSize(10, 8)).toBe(10);
    expect(roundSize(1, 8)).toBe(1);
    expect(roundSize(0, 8)).toBe(1);
  });
});

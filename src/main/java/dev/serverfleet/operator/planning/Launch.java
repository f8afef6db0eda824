package dev.serverfleet.operator.planning;

/**
 * One RunInstances call to make.
 *
 * @param retry true when this re-issues an earlier intent with its own token (AWS returns the
 *     instances of the first call if there were any), false for a new intent
 */
public record Launch(String token, String subnetId, int count, String revision, boolean retry) {}

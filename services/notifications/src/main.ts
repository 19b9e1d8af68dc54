import 'reflect-metadata';
import { runMain } from '@smart-regency/platform';
import { startNotifications } from './app';
import { loadNotificationsConfig } from './config';

void runMain('notifications', () => startNotifications(loadNotificationsConfig(), true));

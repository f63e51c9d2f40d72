import { Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { DestinationCommands } from '../destinations/destination-commands';
import { DESTINATION_ID, DestinationQueries } from '../destinations/destination-queries';
import { AdminApiController } from './admin-api.decorator';
import { ErrorAnswer } from './api-models';
import { DestinationDetailModel, DestinationListModel } from './destination.models';

export class DestinationParams {
  @ApiProperty({ example: 'https%3A%2F%2Fapi.example.com', description: 'The origin, URL-encoded, or `smtp`' })
  @Matches(DESTINATION_ID, { message: 'id must be an origin such as https://api.example.com (URL-encoded in the path) or smtp' })
  id: string;
}

@AdminApiController('api/destinations', 'destinations')
export class DestinationsController {
  constructor(
    private readonly queries: DestinationQueries,
    private readonly commands: DestinationCommands,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Destinations with a circuit state or attempts in the last 24 h: state, policy, success rate and latency per hour' })
  @ApiOkResponse({ type: DestinationListModel })
  list() {
    return this.queries.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One destination, with the steps waiting for it' })
  @ApiOkResponse({ type: DestinationDetailModel })
  @ApiNotFoundResponse({ type: ErrorAnswer })
  get(@Param() { id }: DestinationParams) {
    return this.queries.get(id);
  }

  @Post(':id/open')
  @HttpCode(200)
  @ApiOperation({ summary: 'Open the circuit by hand: steps for it wait, spending no attempts, until it is closed by hand' })
  @ApiOkResponse({ type: DestinationDetailModel })
  open(@Param() { id }: DestinationParams) {
    return this.commands.open(id);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close an open or half-open circuit: the waiting steps go out in the order they came' })
  @ApiOkResponse({ type: DestinationDetailModel })
  @ApiConflictResponse({ type: ErrorAnswer, description: 'The circuit is not open or half-open' })
  close(@Param() { id }: DestinationParams) {
    return this.commands.close(id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable a disabled destination: its circuit closes and steps for it are attempted again' })
  @ApiOkResponse({ type: DestinationDetailModel })
  @ApiConflictResponse({ type: ErrorAnswer, description: 'The destination is not disabled' })
  enable(@Param() { id }: DestinationParams) {
    return this.commands.enable(id);
  }
}
